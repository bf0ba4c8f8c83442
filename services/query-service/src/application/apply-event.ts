import { type DecodedEvent, isUnknownEvent } from '@users/shared';
import { evolveDetail, toHistoryEntry, toRecentEvent } from '../projections';
import type { ReadModelStore } from './ports';

/** The event is ahead of what this user's read models have applied: an earlier one is missing. */
export class EventOutOfOrderError extends Error {
  constructor({ userId, version }: Pick<DecodedEvent, 'userId' | 'version'>, position: number) {
    super(`Version ${version} of ${userId} arrived before ${position + 1}`);
  }
}

export type Outcome = 'applied' | 'duplicate' | 'skipped';

/**
 * Applies one event exactly once and in order. The detail's version is the user's checkpoint:
 * it moves (one conditional write) only after the history entry is written, so a crash in
 * between leaves the event "not applied" and its retry rewrites the same history entry. An event
 * of an unknown type only moves the checkpoint past it, so the events after it are not blocked.
 */
export const applyEvent = async (store: ReadModelStore, event: DecodedEvent): Promise<Outcome> => {
  const current = await store.getDetail(event.userId);
  const position = current?.version ?? 0;
  const erasure = !isUnknownEvent(event) && event.type === 'USER_ERASED';
  if (event.version <= position) {
    // A redelivered erasure erases once more: a crash may have come before the second pass.
    if (erasure) await store.eraseHistory(event.userId);
    return 'duplicate';
  }
  if (event.version !== position + 1) throw new EventOutOfOrderError(event, position);

  const detail = evolveDetail(current, event);
  if (!isUnknownEvent(event)) {
    await store.putHistoryEntry(toHistoryEntry(event, detail));
    await store.addToFeed(toRecentEvent(event));
  }
  // Erased before the checkpoint moves, and again after, so that history a concurrent rebuild
  // wrote from events read before the erasure is erased too (see restoreUser).
  if (erasure) await store.eraseHistory(event.userId);
  if (!(await store.advance(detail, position))) return 'duplicate';
  if (erasure) await store.eraseHistory(event.userId);
  return isUnknownEvent(event) ? 'skipped' : 'applied';
};
