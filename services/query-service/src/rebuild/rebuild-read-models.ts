import { fromEventItem, UnknownEventTypeError } from '@users/shared';
import { replayUser, type SkippedEvent, type UserReadModels } from '../projections';

export type EventItem = Record<string, unknown>;

export interface EventSource {
  /**
   * Every event item, user after user, each user's events in version order: segments are read
   * in parallel, each one calling `onUser` for each complete user it holds.
   */
  scanUsers(onUser: (items: EventItem[]) => Promise<void>): Promise<void>;
}

export interface ReadModelRestorer {
  /** Writes a user's models unless the live projector has already gone further. */
  restoreUser(models: UserReadModels): Promise<void>;
}

export type RebuildReport = { users: number; events: number; failedUsers: string[] };

const toReplayable = (item: EventItem) => {
  try {
    return fromEventItem(item);
  } catch (error) {
    if (!(error instanceof UnknownEventTypeError)) throw error;
    return { aggregateId: item.AggregateID, version: item.Sequence, skipped: true } as SkippedEvent;
  }
};

/**
 * Rebuilds every read model from the event store, one user at a time, without touching the
 * store. Safe to run twice or while commands flow: writes never move a model backwards.
 */
export const rebuildReadModels = async (
  source: EventSource,
  restorer: ReadModelRestorer,
  onProgress: (report: RebuildReport) => void = () => {},
): Promise<RebuildReport> => {
  const report: RebuildReport = { users: 0, events: 0, failedUsers: [] };
  await source.scanUsers(async (items) => {
    try {
      await restorer.restoreUser(replayUser(items.map(toReplayable)));
      report.users++;
    } catch (error) {
      report.failedUsers.push(`${String(items[0]?.AggregateID)}: ${(error as Error).message}`);
    }
    report.events += items.length;
    onProgress(report);
  });
  return report;
};
