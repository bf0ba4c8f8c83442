import { atExpression, scheduleName } from './erasure-schedule';

describe('an erasure schedule', () => {
  it('is named by its user and its due time, within the 64 characters a name may hold', () => {
    const erasure = { userId: 'ü'.repeat(128), eraseAfter: '2026-12-31T12:00:00.500Z' };
    const name = scheduleName(erasure);
    expect(name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
    expect(scheduleName({ ...erasure, eraseAfter: '2027-01-31T12:00:00.500Z' })).not.toBe(name);
    expect(scheduleName({ ...erasure, userId: 'other' })).not.toBe(name);
    expect(scheduleName({ ...erasure })).toBe(name);
  });

  it('never fires before the erasure is due: set for the next whole minute (60 s precision)', () => {
    expect(atExpression('2026-12-31T12:00:00.500Z')).toBe('at(2026-12-31T12:01:00)');
    expect(atExpression('2026-12-31T12:00:36.000Z')).toBe('at(2026-12-31T12:01:00)');
    expect(atExpression('2026-12-31T12:00:00.000Z')).toBe('at(2026-12-31T12:00:00)');
  });
});
