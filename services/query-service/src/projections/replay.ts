import type { RecordedEvent } from '@users/shared';
import { evolveDetail, ProjectionError, type UserDetail } from './user-detail';
import { type HistoryEntry, toHistoryEntry } from './user-history';

export type UserReadModels = {
  detail: UserDetail;
  history: HistoryEntry[];
};

/** Stands for an event of a type this reader does not know: it only moves the version on. */
export type SkippedEvent = { aggregateId: string; version: number; skipped: true };

/**
 * Every read model of one user from the user's whole history, as the live projector would have
 * built them event by event. Versions must run 1, 2, 3, ... without gaps.
 */
export const replayUser = (events: readonly (RecordedEvent | SkippedEvent)[]): UserReadModels => {
  let detail: UserDetail | null = null;
  const history: HistoryEntry[] = [];
  events.forEach((event, index) => {
    if (event.version !== index + 1) {
      throw new ProjectionError(
        `${event.aggregateId}: version ${event.version} where ${index + 1} was expected`,
      );
    }
    if ('skipped' in event) {
      if (!detail)
        throw new ProjectionError(`${event.aggregateId}: unknown event type at version 1`);
      detail = { ...detail, version: event.version };
      return;
    }
    detail = evolveDetail(detail, event);
    history.push(toHistoryEntry(event, detail));
  });
  if (!detail) throw new ProjectionError('no events');
  return { detail, history };
};
