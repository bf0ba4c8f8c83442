import { matchesPattern } from './event-pattern';

const event = {
  source: 'users',
  'detail-type': 'user.balance-changed',
  detail: { user_id: 'u-1', version: 4, data: { delta: -5, balance: 20 }, tags: ['a', 'b'] },
};

describe('event patterns, as EventBridge matches them', () => {
  it.each([
    [{ source: ['users'] }, true],
    [{ source: ['other', 'users'] }, true],
    [{ source: ['other'] }, false],
    [{ 'detail-type': [{ prefix: 'user.' }] }, true],
    [{ 'detail-type': [{ suffix: '-changed' }] }, true],
    [{ 'detail-type': [{ 'anything-but': ['user.deleted', 'user.erased'] }] }, true],
    [{ 'detail-type': [{ 'anything-but': { prefix: 'user.' } }] }, false],
    [{ detail: { data: { delta: [{ numeric: ['<', 0] }] } } }, true],
    [{ detail: { data: { delta: [{ numeric: ['>', 0, '<=', 10] }] } } }, false],
    [{ detail: { data: { missing: [{ exists: false }] } } }, true],
    [{ detail: { data: { delta: [{ exists: true }] } } }, true],
    [{ detail: { tags: ['b'] } }, true],
    [{ detail: { user_id: [{ 'equals-ignore-case': 'U-1' }] } }, true],
    [{ source: ['users'], detail: { version: [5] } }, false],
    [{ detail: { $or: [{ version: [5] }, { data: { balance: [20] } }] } }, true],
    [{ $or: [{ source: ['x'] }, { 'detail-type': ['user.erased'] }] }, false],
    [{ detail: { data: ['not an object'] } }, false],
  ])('%j -> %s', (pattern, matches) => {
    expect(matchesPattern(pattern, event)).toBe(matches);
  });

  it('refuses an operator it does not know, rather than guessing', () => {
    expect(() => matchesPattern({ source: [{ wildcard: 'u*' }] }, event)).toThrow(/wildcard/);
  });
});
