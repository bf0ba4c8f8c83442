import { type EventType, PERSONAL_FIELDS, type ReadEvent } from '@users/shared';
import type { UserDetail } from './user-detail';

/** One row per event, for GET /history; it also keeps the detail as it was, for time travel. */
export type HistoryEntry = {
  userId: string;
  version: number;
  eventType: EventType;
  payload: Record<string, unknown>;
  occurredAt: string;
  detailAfter: UserDetail;
  /** The user was erased since: the entry's personal fields are null. */
  erased: boolean;
};

export const toHistoryEntry = (event: ReadEvent, detailAfter: UserDetail): HistoryEntry => ({
  userId: event.userId,
  version: event.version,
  eventType: event.type,
  payload: event.payload,
  occurredAt: event.occurredAt,
  detailAfter,
  erased: false,
});

/**
 * The entry once its user is erased: every personal field null, everything else (type, time,
 * balance deltas) kept. The live projector applies it to a user's history when it sees the
 * erasure; a rebuild arrives at the same entries from events whose key is gone.
 */
export const eraseHistoryEntry = (entry: HistoryEntry): HistoryEntry => ({
  ...entry,
  payload: Object.fromEntries(
    Object.entries(entry.payload).map(([field, value]) => [
      field,
      (PERSONAL_FIELDS as readonly string[]).includes(field) ? null : value,
    ]),
  ),
  detailAfter: { ...entry.detailAfter, name: null, email: null, erased: true },
  erased: true,
});
