import { type DecodedEvent, isUnknownEvent } from '@users/shared';
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
 * The detail's version is the user's checkpoint: it moves only after the history entries are
 * written, so a crash in between leaves the events "not applied" and their retry rewrites the
 * same entries. An erasure erases before the checkpoint moves and again after, so that history a
 * concurrent rebuild wrote from events read before the erasure is erased too (see restoreUser).
 * When another writer moved the checkpoint first, the entries written here may hold personal data
 * of a user that writer has erased meanwhile (a slow invocation overtaken by its own retry): they
 * are erased again before giving up.
 */
const commit = async (store: ReadModelStore, change: UserChange) => {
  if (change.erasure) await store.eraseHistory(change.userId);
  if (!change.detail || change.detail.version === change.from) return change.from;
  if (!(await store.advance(change.detail, change.from))) {
    const [now] = (await store.getDetails([change.userId])).values();
    if (now?.erased) await store.eraseHistory(change.userId);
    throw new CheckpointMovedError(change.userId);
  }
  if (change.erasure) await store.eraseHistory(change.userId);
  return change.detail.version;
};

/**
 * History and feed entries of all users in as few batched writes as possible. One item DynamoDB
 * refuses fails its whole request, so then each user's entries are written on their own and only
 * that user waits.
 */
const writeEntries = async (store: ReadModelStore, changes: UserChange[]) => {
  const write = (some: UserChange[]) =>
    Promise.all([
      store.putHistoryEntries(some.flatMap((change) => change.history)),
      store.addToFeed(feedEntriesOf(some.flatMap((change) => change.feed))),
    ]);
  try {
    await write(changes);
    return changes.map(() => undefined);
  } catch {
    return Promise.all(
      changes.map((change) =>
        write([change]).then(
          () => undefined,
          (error: Error) => error,
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
  const written = await writeEntries(store, changes);
  await Promise.all(
    changes.map(async (change, i) => {
      const reached = written[i] ?? (await commit(store, change).catch((error: Error) => error));
      outcomes.set(change.userId, reached);
    }),
  );
  return outcomes;
};
