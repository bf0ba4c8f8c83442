import type { RecordedEvent } from '@users/shared';
import { evolveDetail, toHistoryEntry } from '../projections';
import type { ReadModelStore } from './ports';

/** The event is ahead of what this user's read models have applied: an earlier one is missing. */
export class EventOutOfOrderError extends Error {
  constructor(
    { aggregateId, version }: Pick<RecordedEvent, 'aggregateId' | 'version'>,
    position: number,
  ) {
    super(`Version ${version} of ${aggregateId} arrived before ${position + 1}`);
  }
}

export type Outcome = 'applied' | 'duplicate' | 'skipped';

/**
 * Applies one event exactly once and in order. The detail's version is the user's checkpoint:
 * it moves (one conditional write) only after the history entry is written, so a crash in
 * between leaves the event "not applied" and its retry rewrites the same history entry.
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
  return (await store.advance(detail, position)) ? 'applied' : 'duplicate';
};

/**
 * An event of a type this reader does not know (written by a newer writer): nothing to apply,
 * but the user's position moves past it so that the events after it are not blocked.
 */
export const skipEvent = async (
  store: ReadModelStore,
  aggregateId: string,
  version: number,
): Promise<Outcome> => {
  const current = await store.getDetail(aggregateId);
  const position = current?.version ?? 0;
  if (version <= position) return 'duplicate';
  if (!current || version !== position + 1) {
    throw new EventOutOfOrderError({ aggregateId, version }, position);
  }
  return (await store.advance({ ...current, version }, position)) ? 'skipped' : 'duplicate';
};
