import type { EventType, RecordedEvent } from '@users/shared';
import type { UserDetail } from './user-detail';

/** One row per event, for GET /history; it also keeps the detail as it was, for time travel. */
export type HistoryEntry = {
  userId: string;
  version: number;
  eventType: EventType;
  payload: Record<string, unknown>;
  occurredAt: string;
  detailAfter: UserDetail;
};

export const toHistoryEntry = (event: RecordedEvent, detailAfter: UserDetail): HistoryEntry => ({
  userId: event.userId,
  version: event.version,
  eventType: event.type,
  payload: event.payload,
  occurredAt: event.occurredAt,
  detailAfter,
});
