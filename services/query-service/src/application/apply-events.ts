import { type DecodedEvent, isUnknownEvent, logger } from '@users/shared';
import {
  erasedPlaceholder,
  eraseHistoryEntry,
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

/** How an invocation applies a batch. */
export type ApplyOptions = {
  /** Epoch ms by which the invocation must have finished writing (its function's timeout). */
  deadline: number;
  /**
   * The user's stored events from `fromVersion` on (a bounded number of them): for a gap the
   * stream left, whether an event is late or will never come (given up on, in the failure queue).
   */
  catchUp?: (userId: string, fromVersion: number) => Promise<DecodedEvent[]>;
};

const isErasure = (event: DecodedEvent) => !isUnknownEvent(event) && event.type === 'USER_ERASED';

/**
 * The user's events that follow on from `current` without a gap, in version order; those already
 * applied are skipped, and an event of an unknown type only moves the checkpoint past it. When
 * the user ends erased, the new entries are written without personal data at once.
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
    // A redelivered erasure goes on with the history rewrite where it stopped.
    change.erasure ||= isErasure(event);
    if (event.version <= position) continue;
    change.detail = evolveDetail(change.detail, event);
    if (!isUnknownEvent(event)) {
      change.history.push(toHistoryEntry(event, change.detail));
      change.feed.push(toRecentEvent(event));
    }
  }
  if (change.detail?.erased) change.history = change.history.map(eraseHistoryEntry);
  return change;
};

/** The events, and those the store holds after the checkpoint when the stream left a gap. */
const withGapFilled = async (
  userId: string,
  current: UserDetail | null,
  events: DecodedEvent[],
  catchUp: ApplyOptions['catchUp'],
) => {
  const position = current?.version ?? 0;
  const ahead = events.filter((event) => event.version > position);
  if (!catchUp || ahead.length === 0 || ahead.some((e) => e.version === position + 1)) {
    return events;
  }
  const delivered = new Set(events.map((event) => event.version));
  const stored = await catchUp(userId, position + 1);
  return [...events, ...stored.filter((event) => !delivered.has(event.version))];
};

/**
 * How long an invocation spends on an erasure's history rewrite: short, so that the rest of the
 * shard never waits long behind one erased user; the history eraser does the rest.
 */
const REWRITE_BUDGET_MS = 2000;

/**
 * The history rewrite after an erasure, as far as the invocation's budget allows: whatever is
 * left is finished by the history eraser, and no query shows the entries' personal data meanwhile.
 */
const eraseHistory = async (store: ReadModelStore, userId: string, deadline: number) => {
  try {
    await store.eraseHistory(userId, Math.min(deadline, Date.now() + REWRITE_BUDGET_MS));
  } catch (error) {
    logger.warn('history rewrite of an erased user interrupted; the history eraser goes on', {
      userId,
      error,
    });
  }
};

/**
 * Entries were written but the checkpoint did not move. If another writer erased the user
 * meanwhile (a slow invocation overtaken by its own retry, a rebuild), those entries may hold
 * personal data the rewrite has already gone past: it starts over.
 */
const eraseIfErasedMeanwhile = async (store: ReadModelStore, userId: string) => {
  const [now] = (await store.getDetails([userId])).values();
  if (now?.erased) await store.eraseHistoryAgain(userId);
};

/**
 * The detail's version is the user's checkpoint: it moves only after the history entries are
 * written, so a crash in between leaves the events "not applied" and their retry rewrites the
 * same entries. An erasure was marked before anything else (guardErasures), and its tombstone
 * restarts the rewrite of the user's history, which follows as far as time allows.
 */
const commit = async (store: ReadModelStore, change: UserChange, deadline: number) => {
  if (!change.detail || change.detail.version === change.from) {
    if (change.erasure) await eraseHistory(store, change.userId, deadline);
    return change.from;
  }
  if (!(await store.advance(change.detail, change.from))) {
    if (change.history.length > 0) await eraseIfErasedMeanwhile(store, change.userId);
    throw new CheckpointMovedError(change.userId);
  }
  if (change.erasure) await eraseHistory(store, change.userId, deadline);
  return change.detail.version;
};

/**
 * Before any entry of the batch is written, per user:
 * - an erasure not applied yet hides the user in one write (markErased): nothing personal is
 *   served from the moment the projector holds the erasure, whatever must still happen before it
 *   can be applied in order;
 * - a redelivered event of a user erased since may have had its entry written in the clear by an
 *   earlier attempt that failed after the rewrite went by: the rewrite starts over.
 */
const guardErasures = (
  store: ReadModelStore,
  current: Map<string, UserDetail>,
  eventsByUser: Map<string, DecodedEvent[]>,
) =>
  Promise.all(
    [...eventsByUser].map(async ([userId, events]) => {
      const detail = current.get(userId);
      const erasure = events.find(isErasure);
      if (erasure && !detail?.erased && erasure.version > (detail?.version ?? 0)) {
        // Not applied yet, or not at all (its creation still to come): hidden all the same.
        await store.markErased(userId);
        current.set(userId, {
          ...(detail ?? erasedPlaceholder(userId)),
          name: null,
          email: null,
          erased: true,
        });
      } else if (
        detail?.erased &&
        events.some((e) => !isErasure(e) && e.version <= detail.version)
      ) {
        await store.eraseHistoryAgain(userId);
      }
    }),
  );

/** The store's batched writes settle every chunk in flight before reporting a failure. */
const writeEntriesOf = (store: ReadModelStore, changes: UserChange[]) =>
  store.putHistoryEntries(changes.flatMap((change) => change.history));

/**
 * How long past the read models' writes an invocation waits for the console's feed: a slow feed
 * (its one partition takes about 1,000 writes/s) must not hold the shard's next batch back.
 */
const FEED_WAIT_MS = 250;

/**
 * The console's feed is one partition (about 1,000 writes/s in AWS) shared by every user: it is
 * written beside the history and waited for only a moment at the end. A failure or a throttled
 * wait there costs the console a line, never a user's read models or their lag. It holds no
 * personal data, so nothing can stay behind in it.
 */
const addToFeed = async (store: ReadModelStore, changes: UserChange[]) => {
  try {
    await store.addToFeed(feedEntriesOf(changes.flatMap((change) => change.feed)));
  } catch (error) {
    logger.warn("events left out of the console's feed", { error });
  }
};

const notAfter = (work: Promise<void>, deadline: number) =>
  Promise.race([
    work,
    new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref()),
  ]);

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

const attempt = async <T>(work: () => Promise<T>): Promise<T | Error> => {
  try {
    return await work();
  } catch (error) {
    return error as Error;
  }
};

/**
 * Applies a batch of events, grouped by user, each exactly once and in version order, whatever
 * order they came in: one read of all the users' details, their history entries (and the feed's
 * newest) written together, then one conditional write of each user's detail. A user whose next
 * event is missing is caught up from the event store (read-only, that user only).
 *
 * Returns, per user, the version its read models are now at (events above it came after a gap
 * and must be delivered again), or the error that left them where they were.
 */
export const applyEvents = async (
  store: ReadModelStore,
  eventsByUser: Map<string, DecodedEvent[]>,
  { deadline, catchUp }: ApplyOptions,
): Promise<Map<string, number | Error>> => {
  const current = await store.getDetails([...eventsByUser.keys()]);
  await guardErasures(store, current, eventsByUser);
  const outcomes = new Map<string, number | Error>();
  const changes: UserChange[] = [];
  await Promise.all(
    [...eventsByUser].map(async ([userId, events]) => {
      const detail = current.get(userId) ?? null;
      const change = await attempt(async () =>
        changeOf(userId, detail, await withGapFilled(userId, detail, events, catchUp)),
      );
      if (change instanceof Error) outcomes.set(userId, change);
      else changes.push(change);
    }),
  );
  const feed = addToFeed(store, changes);
  const written = await writeEntries(store, changes);
  await Promise.all(
    changes.map(async (change, i) => {
      const failedWrite = written[i];
      if (failedWrite && change.history.length > 0) {
        await eraseIfErasedMeanwhile(store, change.userId).catch(() => undefined);
      }
      const reached =
        failedWrite ?? (await commit(store, change, deadline).catch((error: Error) => error));
      outcomes.set(change.userId, reached);
    }),
  );
  await notAfter(feed, Math.min(deadline, Date.now() + FEED_WAIT_MS));
  return outcomes;
};
