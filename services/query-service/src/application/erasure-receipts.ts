import type { ProjectionVersion } from '../projections';
import type {
  ErasureReceipt,
  ErasureSteps,
  ErasureTarget,
  FinishedRewrite,
  PendingErasures,
  ProjectionState,
  ReadModelRestorer,
  ReadModelStore,
  RecordedErasures,
} from './ports';

/** What a projection version notes of an erasure as it goes: recorded beside (recordsBeside). */
type ErasureRecords = {
  detailHidden(userId: string, version: ProjectionVersion, at: Date): void;
  historyRewritten(rewrite: FinishedRewrite, version: ProjectionVersion, at: Date): void;
};

/**
 * eraseHistory, except that once no entry is left the user stays pending until the rewrite is
 * recorded (recordRewrite).
 */
const recordedRewrites =
  (
    store: RecordedErasures,
    records: ErasureRecords,
    version: ProjectionVersion,
    now: () => Date,
  ): ReadModelStore['eraseHistory'] =>
  async (userId, deadline) => {
    const rewrite = await store.rewriteHistory(userId, deadline);
    if (rewrite) records.historyRewritten(rewrite, version, now());
    return rewrite !== null;
  };

/**
 * A projection version's read models as the projector writes them, each erasure step recorded on
 * the user's receipt once it landed: the detail hidden (markErased, as soon as the projector
 * holds the erasure) and the history rewrite finished (no entry left). Recording never throws
 * (ErasureSteps), so the erasure goes on whatever the receipt.
 */
export const recordingErasureSteps = (
  store: ReadModelStore & RecordedErasures,
  records: ErasureRecords,
  version: ProjectionVersion,
  now: () => Date = () => new Date(),
): ReadModelStore => ({
  getDetails: (userIds) => store.getDetails(userIds),
  putHistoryEntries: (entries) => store.putHistoryEntries(entries),
  advance: (detail, previousVersion) => store.advance(detail, previousVersion),
  eraseHistoryAgain: (userId) => store.eraseHistoryAgain(userId),
  addToFeed: (events) => store.addToFeed(events),
  markErased: async (userId) => {
    await store.markErased(userId);
    records.detailHidden(userId, version, now());
  },
  eraseHistory: recordedRewrites(store, records, version, now),
});

/**
 * A rewrite with no entry left, recorded, and only then its user taken off the pending erasures:
 * a record that failed, or never came (a crash), leaves them pending, so the history eraser's
 * next pass finds nothing left and records it (the first time recorded stays) until it is. No
 * receipt waits for ever on a step that was done, whatever faults follow one another.
 */
const recordRewrite = async (
  store: Pick<RecordedErasures, 'endErasure'>,
  steps: ErasureSteps,
  rewrite: FinishedRewrite,
  version: ProjectionVersion,
  at: Date,
  signal: AbortSignal,
) => {
  if (await steps.historyRewritten(rewrite.userId, version, at, signal)) {
    await store.endErasure(rewrite);
  }
};

/** Time kept from the function's timeout once the records still under way are given up. */
const ANSWER_MS = 1000;

/**
 * Steps recorded beside the work that completed them, never in its way: each note returns at
 * once and its record goes on (each bounded by the receipts' own limit, then one conditional
 * write that ends a rewrite recorded), so that a slow receipts table never costs a batch its
 * deadline nor a follower its share of the invocation. `settled()` waits for every record under
 * way: at the end of an invocation, before Lambda freezes it. A record started late still ends by
 * the invocation's timeout (`remainingMs`): given up a second before it, its step is left for a
 * later run (a rewrite not recorded stays pending), never a timed-out batch delivered again.
 */
export const recordsBeside = (remainingMs: number) => {
  const giveUp = AbortSignal.timeout(Math.max(0, remainingMs - ANSWER_MS));
  const pending = new Set<Promise<unknown>>();
  const beside = (record: Promise<unknown>) => {
    const done: Promise<unknown> = record
      .catch(() => undefined)
      .finally(() => {
        pending.delete(done);
      });
    pending.add(done);
  };
  return {
    of: (
      steps: ErasureSteps,
      /** Where a rewrite recorded is ended (the version's store), bound by `signal`. */
      storeOf: (
        version: ProjectionVersion,
        signal: AbortSignal,
      ) => Pick<RecordedErasures, 'endErasure'>,
    ): ErasureRecords => ({
      detailHidden: (userId, version, at) =>
        beside(steps.detailHidden(userId, version, at, giveUp)),
      historyRewritten: (rewrite, version, at) =>
        beside(recordRewrite(storeOf(version, giveUp), steps, rewrite, version, at, giveUp)),
    }),
    settled: async () => {
      await Promise.all([...pending]);
    },
  };
};

/**
 * A projection version as the history eraser finishes its erasures, the same steps recorded: the
 * detail hidden where a mark told the version of an erasure (hideErased), the history rewrite
 * finished.
 */
export const recordingEraserSteps = (
  store: PendingErasures & ErasureTarget & RecordedErasures,
  records: ErasureRecords,
  version: ProjectionVersion,
  now: () => Date = () => new Date(),
): PendingErasures & ErasureTarget => ({
  pendingErasures: (limit) => store.pendingErasures(limit),
  hideErased: async (userId) => {
    await store.hideErased(userId);
    records.detailHidden(userId, version, now());
  },
  eraseHistory: recordedRewrites(store, records, version, now),
});

/**
 * A projection version as a build or a repair (rebuild, redrive) restores users into it: a user
 * restored erased has, once the restore resolved, a hidden detail and every history entry without
 * personal data (the fold of an erasure, USER_ERASED being a user's last event), so both steps
 * are recorded then. For a version built after the erasure, that is when its build wrote the
 * user: it never held their name.
 *
 * The restore writes the detail whole, so it leaves no pending erasure behind it: a rewrite not
 * recorded makes the user pending again (a new round), for the history eraser to record before
 * it ends it. Should that fail too, so does the restore: the repair reports the user, to be run
 * again, rather than leave the step blank.
 */
export const recordingRestorer = (
  restorer: ReadModelRestorer & Pick<ReadModelStore, 'eraseHistoryAgain'>,
  steps: ErasureSteps,
  version: ProjectionVersion,
  now: () => Date = () => new Date(),
): ReadModelRestorer => ({
  restoreUser: async (models) => {
    await restorer.restoreUser(models);
    if (!models.detail.erased) return;
    const { userId } = models.detail;
    const at = now();
    await steps.detailHidden(userId, version, at);
    if (!(await steps.historyRewritten(userId, version, at))) {
      await restorer.eraseHistoryAgain(userId);
    }
  },
});

/** What the receipt says of the stats service: nothing of it needs erasing. */
export const STATS_STEP = 'holds no personal data: counts and event ids only';

/**
 * GET /erasures/{user_id}'s answer: when each step of the erasure completed, null for a step not
 * recorded (yet), one entry for each projection version the registry lists now (live, building,
 * behind, dropped with its tables kept). Complete once every step has a time.
 */
export const erasureReceiptBody = (
  receipt: ErasureReceipt,
  { live, followers }: ProjectionState,
) => {
  const versions = [...new Set([live, ...followers.map((f) => f.version)])].sort((a, b) => a - b);
  const readModels = versions.map((version) => ({
    projection_version: version,
    detail_hidden: receipt.detailHiddenAt[version] ?? null,
    history_rewritten: receipt.historyRewrittenAt[version] ?? null,
  }));
  const published = receipt.publishedAt ?? null;
  return {
    user_id: receipt.userId,
    erased_at: receipt.erasedAt,
    version: receipt.version,
    event_id: receipt.eventId,
    steps: {
      event_stored: receipt.erasedAt,
      key_shredded: receipt.keyShreddedAt,
      integration_event_published: published,
      read_models: readModels,
      stats: STATS_STEP,
    },
    complete:
      published !== null &&
      readModels.every((step) => step.detail_hidden !== null && step.history_rewritten !== null),
    audit: receipt.audit ? { at: receipt.audit.at, outcome: receipt.audit.outcome } : null,
  };
};
