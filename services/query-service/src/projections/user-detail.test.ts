import type { RecordedEvent, UserEvent } from '@users/shared';
import {
  balanceChanged,
  created as creation,
  deleted,
  recordedEvents,
  updated,
} from '../../../../test/fixtures/events';
import { evolveDetail, ProjectionError, type UserDetail } from './user-detail';
import { toSummary } from './user-summary';

const at = (version: number, body: UserEvent) =>
  recordedEvents('u1', [body], { firstVersion: version })[0] as RecordedEvent;

const created = at(1, creation());
const fold = (events: RecordedEvent[]) =>
  events.reduce<UserDetail | null>((detail, event) => evolveDetail(detail, event), null);

describe('evolveDetail', () => {
  it('starts a user at balance 0 and records when', () => {
    expect(fold([created])).toEqual({
      userId: 'u1',
      name: 'Ada',
      email: 'ada@example.com',
      balance: 0,
      version: 1,
      createdAt: '2026-01-01T00:00:01.000Z',
      updatedAt: '2026-01-01T00:00:01.000Z',
      deleted: false,
      erased: false,
    });
  });

  it('keeps a user hidden ahead of its erasure hidden from its creation on (a placeholder)', () => {
    const placeholder = {
      userId: 'u1',
      name: null,
      email: null,
      balance: 0,
      version: 0,
      createdAt: '',
      updatedAt: '',
      deleted: false,
      erased: true,
    };
    expect(evolveDetail(placeholder, created)).toMatchObject({
      version: 1,
      name: null,
      email: null,
      erased: true,
      createdAt: '2026-01-01T00:00:01.000Z',
    });
  });

  it('sums balance deltas, applies updates and marks deletion', () => {
    const detail = fold([
      created,
      at(2, balanceChanged(40)),
      at(3, balanceChanged(-15)),
      at(4, updated({ email: 'ada@new.example' })),
    ]);
    expect(detail).toMatchObject({
      balance: 25,
      email: 'ada@new.example',
      name: 'Ada',
      version: 4,
    });
    expect(detail?.updatedAt).toBe('2026-01-01T00:00:04.000Z');
    expect(evolveDetail(detail, at(5, deleted))).toMatchObject({
      deleted: true,
      version: 5,
      balance: 25,
    });
  });

  it('refuses an event before USER_CREATED instead of leaving a half-made user', () => {
    expect(() => evolveDetail(null, at(1, balanceChanged(5)))).toThrow(ProjectionError);
  });
});

describe('an event of a type this reader does not know', () => {
  it('only moves the version on', () => {
    const unknown = { unknown: true as const, userId: 'u1', version: 2, type: 'USER_PROMOTED' };
    expect(evolveDetail(fold([created]), unknown)).toEqual({ ...fold([created]), version: 2 });
    expect(() => evolveDetail(null, { ...unknown, version: 1 })).toThrow(ProjectionError);
  });
});

describe('the summary', () => {
  const detail = fold([created]) as UserDetail;
  it('lists active users only', () => {
    expect(toSummary(detail)).toEqual({ userId: 'u1', name: 'Ada' });
    expect(toSummary({ ...detail, deleted: true })).toBeNull();
  });
});
