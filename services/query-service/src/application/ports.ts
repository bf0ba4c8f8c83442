import type {
  HistoryEntry,
  ProjectionVersion,
  RecentEvent,
  UserDetail,
  UserReadModels,
  UserSummary,
} from '../projections';

/** Where a paged read stopped; opaque to clients (it travels inside a signed token). */
export type PageKey = Record<string, string | number>;
export type Page<T> = { items: T[]; next?: PageKey };

/** What the projector needs: each user's checkpoint (the detail's version) and its writes. */
export interface ReadModelStore {
  /** Consistent reads, tombstones included: the projector's position for each user that has one. */
  getDetails(userIds: string[]): Promise<Map<string, UserDetail>>;
  /** Idempotent: an entry is keyed by user and version, and rewritten with the same content. */
  putHistoryEntries(entries: HistoryEntry[]): Promise<void>;
  /**
   * Moves the user from `previousVersion` to `detail.version`. False if the detail was no longer
   * at `previousVersion`: another writer got there first, and nothing was written.
   */
  advance(detail: UserDetail, previousVersion: number): Promise<boolean>;
  /**
   * Moves an erased user's history on to entries without personal data (eraseHistoryEntry), from
   * where the last pass stopped, until `deadline` (epoch ms): an erasure's history may be longer
   * than one invocation can rewrite. True once no entry is left, and the user is no longer among
   * `pendingErasures`; until then they stay. Queries never show an erased user's personal data
   * meanwhile.
   */
  eraseHistory(userId: string, deadline: number): Promise<boolean>;
  /**
   * Starts the rewrite of an erased user's history over from its first entry: entries may have
   * been written after an earlier pass went by them.
   */
  eraseHistoryAgain(userId: string): Promise<void>;
  /**
   * Hides an erased user at once, in one write, before the erasure can be applied in order (its
   * events are still being written, or an earlier one is missing): the detail drops its personal
   * fields and leaves the list, its version unchanged, and the history rewrite starts. A user
   * without a detail yet gets a placeholder at version 0 (erasedPlaceholder): what is applied
   * later, its creation included, stays erased.
   */
  markErased(userId: string): Promise<void>;
  /** Adds the events to the console's feed, where a stage keeps one. */
  addToFeed(events: RecentEvent[]): Promise<void>;
}

/** Where an erased user's history rewrite is: its round (each start a new one), how far it got. */
export type ErasurePosition = { round: string; through: number };

/** A history rewrite with no entry left (rewriteHistory). */
export type FinishedRewrite = {
  userId: string;
  /** Where it finished, the user still pending; none when they were no longer pending. */
  pending?: ErasurePosition;
};

/**
 * An erased user's history rewrite whose end waits on its record (the erasure's receipt): the
 * user leaves `pendingErasures` only once the record is made, so that a record that failed, or
 * never came (a crash), is made by the history eraser's next pass, which finds nothing left.
 */
export interface RecordedErasures {
  /**
   * As eraseHistory, except that a rewrite with no entry left leaves the user among
   * `pendingErasures` (until endErasure): null while entries are left.
   */
  rewriteHistory(userId: string, deadline: number): Promise<FinishedRewrite | null>;
  /** Takes the user off `pendingErasures`, unless their rewrite started over since it finished. */
  endErasure(rewrite: FinishedRewrite): Promise<void>;
}

/** Erased users whose history is not rewritten yet, for whatever finishes the rewrite. */
export interface PendingErasures {
  pendingErasures(limit: number): Promise<string[]>;
  eraseHistory: ReadModelStore['eraseHistory'];
}

/** Where the history eraser hides users erased while a version was not written in full. */
export interface ErasureTarget {
  /**
   * As `markErased`; for a user these tables do not know yet, a placeholder at version 0 (so
   * that entries written without a detail are rewritten too); for one erased already, one more
   * pass over the history. Throws TablesGone when the tables no longer exist.
   */
  hideErased(userId: string): Promise<void>;
}

/** The tables of a projection version were deleted: nothing is left in them to erase. */
export class TablesGone extends Error {}

/** The event store, read-only: a user's events the stream has not delivered (yet, or ever). */
export interface UserEventReader {
  /** The user's events from `fromVersion` on, in version order, at most `limit` of them. */
  eventsOf(userId: string, fromVersion: number, limit: number): Promise<StoredEvent[]>;
}

/** What the query routes read. */
export interface ReadModelQueries {
  getDetail(userId: string): Promise<UserDetail | null>;
  getHistoryEntry(userId: string, version: number): Promise<HistoryEntry | null>;
  listSummaries(limit: number, after?: PageKey): Promise<Page<UserSummary>>;
  listHistory(userId: string, limit: number, after?: PageKey): Promise<Page<HistoryEntry>>;
  /** The newest events across users that occurred in the feed's last hour, newest first. */
  recentEvents(limit: number, now: Date): Promise<RecentEvent[]>;
}

/** An event item as the store holds it; only the shared codec looks inside. */
export type StoredEvent = Record<string, unknown>;

/** What a rebuild reads: the event store, user after user. */
export interface EventSource {
  /**
   * Every event, user after user, each user's events in version order: segments are read in
   * parallel, each one calling `onUser` for each complete user it holds.
   */
  scanUsers(onUser: (events: StoredEvent[]) => Promise<void>): Promise<void>;
}

/** What a rebuild writes. */
export interface ReadModelRestorer {
  /** Writes a user's models unless the live projector has already gone further. */
  restoreUser(models: UserReadModels): Promise<void>;
}

/** A projection version's record (docs/projections.md); the live one may have none. */
export type VersionRecord = {
  version: ProjectionVersion;
  /**
   * `building` while `npm run projections -- build` replays into it; `ready` once it has;
   * `retained` once dropped with its tables kept (a stage's version 1, or a later version not yet
   * deleted): no longer written, but erasures still reach it.
   */
  state: 'building' | 'ready' | 'retained';
  /**
   * Set when the projector could not apply to it an event the live version took: it misses
   * events until built again, and may not become live.
   */
  behind?: { at: string; reason: string };
  /** The target of a switch being prepared: the projector writes it first, in full. */
  switching?: boolean;
};

/** Which projection version queries read, and which others the projector keeps current. */
export type ProjectionState = {
  live: ProjectionVersion;
  /** Every version the projector writes besides the live one. */
  followers: VersionRecord[];
};

/** What the projector reads and reports of the projection versions. */
export interface ProjectionRegistry {
  /** A consistent read, at the start of each invocation. */
  state(): Promise<ProjectionState>;
  /**
   * False when the version is live by now (a switch committed meanwhile): then the batch must be
   * retried. Throws when it cannot be recorded: the batch is retried, nothing is lost silently.
   */
  markBehind(version: ProjectionVersion, reason: string): Promise<boolean>;
  /**
   * Records that these users were erased, for each of these versions, before anything else of
   * the batch is written: whatever then happens to a version that is not live (behind, dropped
   * but kept, cut off by the deadline), the history eraser hides the users there. Throws when it
   * cannot be recorded: the batch is retried.
   */
  recordErasures(versions: ProjectionVersion[], userIds: string[]): Promise<void>;
}

/** An erasure a version that is not live has yet to be told of (recordErasures). */
export type ErasureMark = { version: ProjectionVersion; userId: string };

/** What the history eraser reads and clears of the registry. */
export interface ErasureMarks {
  erasureMarks(): Promise<ErasureMark[]>;
  clearErasureMark(mark: ErasureMark): Promise<void>;
}

/**
 * An erasure's receipt (GET /erasures/{user_id}): the command side starts it with the erasure's
 * own transaction, the publisher adds when it published, `npm run erasure-audit` its outcome,
 * and the query side when each projection version hid the user's detail and finished the
 * rewrite of their history. No personal data: ids, versions and times.
 */
export type ErasureReceipt = {
  userId: string;
  /** The USER_ERASED event's time, version and id. */
  erasedAt: string;
  version: number;
  eventId: string;
  keyShreddedAt: string;
  publishedAt?: string;
  /** By projection version. */
  detailHiddenAt: Partial<Record<ProjectionVersion, string>>;
  historyRewrittenAt: Partial<Record<ProjectionVersion, string>>;
  audit?: { at: string; outcome: AuditOutcome };
};

/** What `npm run erasure-audit` concluded, as it records it on the receipt. */
export const AUDIT_OUTCOMES = ['nothing readable', 'readable', 'not erased or under way'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * Where the query side records the steps of an erasure it completed, per projection version: the
 * first time each is recorded stays. Never throws: a step that could not be recorded must not
 * stop or fail the erasure itself. Each answers whether the step is on the receipt now (true too
 * when there is no receipt to record on), so that a step not recorded can be done again. A
 * record still under way when `signal` aborts is given up (answered false).
 */
export interface ErasureSteps {
  detailHidden(
    userId: string,
    version: ProjectionVersion,
    at: Date,
    signal?: AbortSignal,
  ): Promise<boolean>;
  historyRewritten(
    userId: string,
    version: ProjectionVersion,
    at: Date,
    signal?: AbortSignal,
  ): Promise<boolean>;
}
