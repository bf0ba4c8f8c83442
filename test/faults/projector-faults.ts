import { existsSync, readFileSync } from 'node:fs';
import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import type {
  ReadModelStore,
  RecordedErasures,
} from '../../services/query-service/src/application/ports';
import { limitWrites } from './dynamodb-faults';

/**
 * Local and test runs only (the handler applies it only under serverless-offline): makes the
 * projector fail while the file at `faultFile` exists, to prove that the read models converge
 * once the fault is lifted. The file holds e.g. `{"failEvery": 3, "failAfterHistory": 0.5}`:
 * fail every 3rd read of the checkpoints (once per batch), and half of the time after the
 * history entries are written but before a user's detail moves; `historyWritesPerSecond` slows
 * the history table down to what one partition takes (projector-with-faults.ts).
 */
export type Faults = {
  failEvery?: number;
  failAfterHistory?: number;
  /** Writes to the history table no faster than this (see projector-with-faults.ts). */
  historyWritesPerSecond?: number;
  /** The projection versions that fail (failEvery, failAfterHistory); every one when absent. */
  versions?: number[];
};

export class InjectedFault extends Error {}

/** The faults the file asks for now, if it exists. */
export const activeFaults = (faultFile: string): Faults | undefined =>
  existsSync(faultFile) ? (JSON.parse(readFileSync(faultFile, 'utf8')) as Faults) : undefined;

export const withFaults = (
  store: ReadModelStore & RecordedErasures,
  faultFile: string,
  version = 1,
): ReadModelStore & RecordedErasures => {
  let reads = 0;
  const faultsOfThisVersion = () => {
    const faults = activeFaults(faultFile);
    return faults?.versions && !faults.versions.includes(version) ? undefined : faults;
  };
  return {
    getDetails: async (userIds) => {
      const faults = faultsOfThisVersion();
      if (faults?.failEvery && ++reads % faults.failEvery === 0)
        throw new InjectedFault('every Nth read of the checkpoints');
      return store.getDetails(userIds);
    },
    putHistoryEntries: (entries) => store.putHistoryEntries(entries),
    eraseHistory: (userId, deadline) => store.eraseHistory(userId, deadline),
    eraseHistoryAgain: (userId) => store.eraseHistoryAgain(userId),
    rewriteHistory: (userId, deadline) => store.rewriteHistory(userId, deadline),
    endErasure: (rewrite) => store.endErasure(rewrite),
    markErased: (userId) => store.markErased(userId),
    addToFeed: (events) => store.addToFeed(events),
    advance: async (detail, previousVersion) => {
      const faults = faultsOfThisVersion();
      if (faults?.failAfterHistory && Math.random() < faults.failAfterHistory) {
        throw new InjectedFault('after the history entries, before the detail');
      }
      return store.advance(detail, previousVersion);
    },
  };
};

/** A client whose writes to the history table go no faster than the fault file says, if it does. */
export const throttledHistoryClient = (faultFile: string) => {
  const client = documentClientFromEnv();
  limitWrites(client, requiredEnv('USER_HISTORY_TABLE'), () => {
    return activeFaults(faultFile)?.historyWritesPerSecond;
  });
  return client;
};
