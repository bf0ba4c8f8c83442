import type { RecordedEvent, UserEvent } from '@users/shared';
import {
  balanceChanged,
  created as creation,
  deleted,
  erased,
  erasureCancelled,
  erasureRequested,
  recordedEvents,
  updated,
} from '../../../../test/fixtures/events';
import { erasedPlaceholder, evolveDetail, ProjectionError, type UserDetail } from './user-detail';
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

describe('an erasure with a grace period', () => {
  const DUE = '2027-01-01T00:00:00.000Z';
  const active = fold([created, at(2, balanceChanged(40))]) as UserDetail;
  const requested = evolveDetail(active, at(3, erasureRequested(DUE)));
  /** What only moves with every event applied: the checkpoint and when it last moved. */
  const apartFromPosition = ({ version: _, updatedAt: __, ...what }: UserDetail) => what;

  it('shows the erasure pending, and until when, leaving the user otherwise as they were', () => {
    expect(requested).toEqual({
      ...active,
      version: 3,
      updatedAt: '2026-01-01T00:00:03.000Z',
      erasurePendingUntil: DUE,
    });
  });

  it('once cancelled, shows the user exactly as before the request, nothing pending', () => {
    const cancelled = evolveDetail(requested, at(4, erasureCancelled(DUE)));
    expect(cancelled).not.toHaveProperty('erasurePendingUntil');
    expect(apartFromPosition(cancelled)).toEqual(apartFromPosition(active));
    expect(cancelled).toMatchObject({ version: 4, updatedAt: '2026-01-01T00:00:04.000Z' });
  });

  it('once carried out, leaves the erased tombstone with nothing pending', () => {
    expect(evolveDetail(requested, at(4, erased))).toEqual({
      ...active,
      name: null,
      email: null,
      version: 4,
      updatedAt: '2026-01-01T00:00:04.000Z',
      deleted: true,
      erased: true,
    });
  });

  it('keeps a deleted user deleted, whether the erasure is requested or cancelled', () => {
    const gone = evolveDetail(active, at(3, deleted));
    const pending = evolveDetail(gone, at(4, erasureRequested(DUE)));
    expect(pending).toMatchObject({ deleted: true, erased: false, erasurePendingUntil: DUE });
    expect(toSummary(pending)).toBeNull();
    const cancelled = evolveDetail(pending, at(5, erasureCancelled(DUE)));
    expect(apartFromPosition(cancelled)).toEqual(apartFromPosition(gone));
  });

  it('asked again after a cancellation, shows the new due date', () => {
    const later = '2027-02-01T00:00:00.000Z';
    const again = fold([
      created,
      at(2, erasureRequested(DUE)),
      at(3, erasureCancelled(DUE)),
      at(4, erasureRequested(later)),
    ]);
    expect(again?.erasurePendingUntil).toBe(later);
  });

  it('of a user hidden ahead of its erasure, ends where the fold of the events ends', () => {
    const events = [created, at(2, erasureRequested(DUE)), at(3, erased)];
    const hiddenFirst = events.reduce(evolveDetail, erasedPlaceholder('u1'));
    expect(hiddenFirst).toEqual(fold(events));
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

  it("carries the user's pending erasure", () => {
    const pending = { ...detail, erasurePendingUntil: '2027-01-01T00:00:00.000Z' };
    expect(toSummary(pending)).toEqual({
      userId: 'u1',
      name: 'Ada',
      erasurePendingUntil: '2027-01-01T00:00:00.000Z',
    });
  });
});
