import type { DecodedEvent } from '@users/shared';
import { isUnknownEvent } from '@users/shared';
import { evolveDetail, ProjectionError, type UserDetail } from './user-detail';
import { eraseHistoryEntry, type HistoryEntry, toHistoryEntry } from './user-history';

export type UserReadModels = {
  detail: UserDetail;
  history: HistoryEntry[];
};

/**
 * Every read model of one user from the user's whole history, as the live projector would have
 * built them event by event. Versions must run 1, 2, 3, ... without gaps.
 */
export const foldUserReadModels = (events: readonly DecodedEvent[]): UserReadModels => {
  let detail: UserDetail | null = null;
  const history: HistoryEntry[] = [];
  events.forEach((event, index) => {
    if (event.version !== index + 1) {
      throw new ProjectionError(
        `${event.userId}: version ${event.version} where ${index + 1} was expected`,
      );
    }
    detail = evolveDetail(detail, event);
    if (!isUnknownEvent(event)) history.push(toHistoryEntry(event, detail));
  });
  if (!detail) throw new ProjectionError('no events');
  const final: UserDetail = detail;
  return { detail: final, history: final.erased ? history.map(eraseHistoryEntry) : history };
};
