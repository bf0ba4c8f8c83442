import { type DataKeys, decodeEvent, eventPosition } from '@users/shared';
import { foldUserReadModels } from '../projections';
import type { EventSource, ReadModelRestorer } from './ports';

export type RebuildReport = { users: number; events: number; failedUsers: string[] };

/**
 * Rebuilds every read model from the event store, one user at a time, without touching the
 * store. Safe to run twice or while commands flow: writes never move a model backwards.
 */
export const rebuildReadModels = async (
  source: EventSource,
  restorer: ReadModelRestorer,
  keys: Pick<DataKeys, 'read'>,
  onProgress: (report: RebuildReport) => void = () => {},
): Promise<RebuildReport> => {
  const report: RebuildReport = { users: 0, events: 0, failedUsers: [] };
  await source.scanUsers(async (events) => {
    try {
      const decoded = await Promise.all(events.map((event) => decodeEvent(event, keys)));
      await restorer.restoreUser(foldUserReadModels(decoded));
      report.users++;
    } catch (error) {
      const { userId } = eventPosition(events[0] ?? {});
      report.failedUsers.push(`${userId}: ${(error as Error).message}`);
    }
    report.events += events.length;
    onProgress(report);
  });
  return report;
};
