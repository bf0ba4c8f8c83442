import type { RecordedEvent } from '@users/shared';
import { evolveDetail, ProjectionError, type UserDetail } from './user-detail';
import { toSummary } from './user-summary';

const at = (version: number, event: Pick<RecordedEvent, 'type' | 'payload'>): RecordedEvent =>
  ({
    ...event,
    aggregateId: 'u1',
    version,
    eventId: `00000000-0000-4000-8000-00000000000${version}`,
    occurredAt: `2026-01-0${version}T00:00:00.000Z`,
    correlationId: 'c',
    schemaVersion: 1,
  }) as RecordedEvent;

const created = at(1, { type: 'USER_CREATED', payload: { name: 'Ada', email: 'ada@example.com' } });
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
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      deleted: false,
    });
  });

  it('sums balance deltas, applies updates and marks deletion', () => {
    const detail = fold([
      created,
      at(2, { type: 'USER_BALANCE', payload: { delta: 40 } }),
      at(3, { type: 'USER_BALANCE', payload: { delta: -15 } }),
      at(4, { type: 'USER_UPDATED', payload: { email: 'ada@new.example' } }),
    ]);
    expect(detail).toMatchObject({
      balance: 25,
      email: 'ada@new.example',
      name: 'Ada',
      version: 4,
    });
    expect(detail?.updatedAt).toBe('2026-01-04T00:00:00.000Z');
    expect(evolveDetail(detail, at(5, { type: 'USER_DELETED', payload: {} }))).toMatchObject({
      deleted: true,
      version: 5,
      balance: 25,
    });
  });

  it('refuses an event before USER_CREATED instead of leaving a half-made user', () => {
    expect(() =>
      evolveDetail(null, at(1, { type: 'USER_BALANCE', payload: { delta: 5 } })),
    ).toThrow(ProjectionError);
  });
});

describe('the summary', () => {
  const detail = fold([created]) as UserDetail;
  it('lists active users only', () => {
    expect(toSummary(detail)).toEqual({ userId: 'u1', name: 'Ada' });
    expect(toSummary({ ...detail, deleted: true })).toBeNull();
  });
});
