import { type DecodedEvent, isUnknownEvent, logger } from '@users/shared';
import {
  evolveDetail,
  feedEntriesOf,
  type HistoryEntry,
  type RecentEvent,
  toHistoryEntry,
  toRecentEvent,
  type UserDetail,
} from '../projections';
import type { ReadModelStore } from './ports';

/** Another writer (a rebuild) moved the user's checkpoint meanwhile: read it again and redo. */
export class CheckpointMovedError extends Error {
  constructor(userId: string) {
    super(`The read models of ${userId} moved while these events were applied`);
  }
}

/** What one user's events change, worked out before anything is written. */
type UserChange = {
  userId: string;
  from: number;
  detail: UserDetail | null;
  history: HistoryEntry[];
  feed: RecentEvent[];
  erasure: boolean;
};

const isErasure = (event: DecodedEvent) => !isUnknownEvent(event) && event.type === 'USER_ERASED';

/**
 * The user's events that follow on from `current` without a gap, in version order; those already
 * applied are skipped, and an event of an unknown type only moves the checkpoint past it.
 */
const changeOf = (userId: string, current: UserDetail | null, events: DecodedEvent[]) => {
  const change: UserChange = {
    userId,
    from: current?.version ?? 0,
    detail: current,
    history: [],
    feed: [],
    erasure: false,
  };
  for (const event of [...events].sort((a, b) => a.version - b.version)) {
    const position = change.detail?.version ?? 0;
    if (event.version > position + 1) break;
    // A redelivered erasure erases once more: a crash may have come before the second pass.
    change.erasure ||= isErasure(event);
    if (event.version <= position) continue;
    change.detail = evolveDetail(change.detail, event);
    if (!isUnknownEvent(event)) {
      change.history.push(toHistoryEntry(event, change.detail));
      change.feed.push(toRecentEvent(event));
    }
  }
  return change;
};

/**
 * Entries were written but the checkpoint did not move. If another writer erased the user
 * meanwhile (a slow invocation overtaken by its own retry), those entries may hold personal data
 * the erasure has already scrubbed: erase them again.
 */
const eraseIfErasedMeanwhile = async (store: ReadModelStore, userId: string) => {
  const [now] = (await store.getDetails([userId])).values();
  if (now?.erased) await store.eraseHistory(userId);
};

/**
 * The detail's version is the user's checkpoint: it moves only after the history entries are
 * written, so a crash in between leaves the events "not applied" and their retry rewrites the
 * same entries. An erasure erases before the checkpoint moves and again after, so that history a
 * concurrent rebuild wrote from events read before the erasure is erased too (see restoreUser).
 */
const commit = async (store: ReadModelStore, change: UserChange) => {
  if (change.erasure) await store.eraseHistory(change.userId);
  if (!change.detail || change.detail.version === change.from) return change.from;
  if (!(await store.advance(change.detail, change.from))) {
    await eraseIfErasedMeanwhile(store, change.userId);
    throw new CheckpointMovedError(change.userId);
  }
  if (change.erasure) await store.eraseHistory(change.userId);
  return change.detail.version;
};

/** The store's batched writes settle every chunk in flight before reporting a failure. */
const writeEntriesOf = (store: ReadModelStore, changes: UserChange[]) =>
  store.putHistoryEntries(changes.flatMap((change) => change.history));

/**
 * The console's feed is one partition (about 1,000 writes/s in AWS) shared by every user: it is
 * written beside the history, and a failure there (throttling) only costs the console a line,
 * never a user's read models. It holds no personal data, so nothing can stay behind in it.
 */
const addToFeed = async (store: ReadModelStore, changes: UserChange[]) => {
  try {
    await store.addToFeed(feedEntriesOf(changes.flatMap((change) => change.feed)));
  } catch (error) {
    logger.warn("events left out of the console's feed", { error });
  }
};

/**
 * History entries of all users in as few batched writes as possible. An item DynamoDB
 * refuses (ValidationException, e.g. too large) fails its whole request: then each user's entries
 * are written on their own and only that user waits. Anything else (throttling, a lost
 * connection) fails every user of the batch, to be delivered again.
 */
const writeEntries = async (store: ReadModelStore, changes: UserChange[]) => {
  try {
    await writeEntriesOf(store, changes);
    return changes.map(() => undefined);
  } catch (error) {
    if ((error as Error).name !== 'ValidationException') return changes.map(() => error as Error);
    return Promise.all(
      changes.map((change) =>
        writeEntriesOf(store, [change]).then(
          () => undefined,
          (failure: Error) => failure,
        ),
      ),
    );
  }
};

const attempt = <T>(work: () => T): T | Error => {
  try {
    return work();
  } catch (error) {
    return error as Error;
  }
};

/**
 * Applies a batch of events, grouped by user, each exactly once and in version order, whatever
 * order they came in: one read of all the users' details, their history entries (and the feed's
 * newest) written together, then one conditional write of each user's detail.
 *
 * Returns, per user, the version its read models are now at (events above it came after a gap
 * and must be delivered again), or the error that left them where they were.
 */
export const applyEvents = async (
  store: ReadModelStore,
  eventsByUser: Map<string, DecodedEvent[]>,
): Promise<Map<string, number | Error>> => {
  const current = await store.getDetails([...eventsByUser.keys()]);
  const outcomes = new Map<string, number | Error>();
  const changes: UserChange[] = [];
  for (const [userId, events] of eventsByUser) {
    const change = attempt(() => changeOf(userId, current.get(userId) ?? null, events));
    if (change instanceof Error) outcomes.set(userId, change);
    else changes.push(change);
  }
  const [written] = await Promise.all([writeEntries(store, changes), addToFeed(store, changes)]);
  await Promise.all(
    changes.map(async (change, i) => {
      const failedWrite = written[i];
      if (failedWrite) await eraseIfErasedMeanwhile(store, change.userId).catch(() => undefined);
      const reached = failedWrite ?? (await commit(store, change).catch((error: Error) => error));
      outcomes.set(change.userId, reached);
    }),
  );
  return outcomes;
};
