import type { RecordedEvent } from '@users/shared';
import { evolveDetail, summaryChanged, toHistoryEntry, toSummary } from '../projections';
import type { ReadModelStore } from './ports';

/** The event is ahead of what this user's read models have applied: an earlier one is missing. */
export class EventOutOfOrderError extends Error {
  constructor(event: RecordedEvent, position: number) {
    super(`Version ${event.version} of ${event.aggregateId} arrived before ${position + 1}`);
  }
}

export type Outcome = 'applied' | 'duplicate';

/**
 * Applies one event exactly once and in order. The detail item is the user's checkpoint and is
 * written last, so a crash in between leaves the event "not applied" and its retry rewrites the
 * history entry and summary (both idempotent) before moving the checkpoint.
 */
export const projectEvent = async (
  store: ReadModelStore,
  event: RecordedEvent,
): Promise<Outcome> => {
  const current = await store.getDetail(event.aggregateId);
  const position = current?.version ?? 0;
  if (event.version <= position) return 'duplicate';
  if (event.version !== position + 1) throw new EventOutOfOrderError(event, position);

  const detail = evolveDetail(current, event);
  await store.putHistoryEntry(toHistoryEntry(event, detail));
  if (summaryChanged(current, detail)) {
    await store.putSummary(event.aggregateId, toSummary(detail), event.version);
  }
  return (await store.putDetail(detail, position)) ? 'applied' : 'duplicate';
};
