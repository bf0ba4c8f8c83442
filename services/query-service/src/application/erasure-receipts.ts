import type { ProjectionVersion } from '../projections';
import type {
  ErasureReceipt,
  ErasureSteps,
  ErasureTarget,
  PendingErasures,
  ProjectionState,
  ReadModelRestorer,
  ReadModelStore,
} from './ports';

/**
 * A projection version's read models as the projector writes them, each erasure step recorded on
 * the user's receipt once it landed: the detail hidden (markErased, as soon as the projector
 * holds the erasure) and the history rewrite finished (eraseHistory answering that none is
 * left). Recording never throws (ErasureSteps), so the erasure goes on whatever the receipt.
 */
export const recordingErasureSteps = (
  store: ReadModelStore,
  steps: ErasureSteps,
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
    await steps.detailHidden(userId, version, now());
  },
  eraseHistory: async (userId, deadline) => {
    const done = await store.eraseHistory(userId, deadline);
    if (done) await recordRewrite(store, steps, userId, version, now());
    return done;
  },
});

/**
 * A rewrite finished, recorded; one that could not be recorded is started over (the history
 * eraser then finds its user pending again, finds nothing left to rewrite, and records it on its
 * next run), so that no receipt waits for ever on a step that was done.
 */
const recordRewrite = async (
  store: Pick<ReadModelStore, 'eraseHistoryAgain'>,
  steps: ErasureSteps,
  userId: string,
  version: ProjectionVersion,
  at: Date,
) => {
  if (!(await steps.historyRewritten(userId, version, at))) await store.eraseHistoryAgain(userId);
};

/**
 * Steps recorded beside the work that completed them, never in its way: each call returns at
 * once and its record goes on (each bounded by the receipts' own limit), so that a slow receipts
 * table never costs a batch its deadline nor a follower its share of the invocation. `settled()`
 * waits for every record under way: at the end of an invocation, before Lambda freezes it.
 */
export const recordsBeside = () => {
  const pending = new Set<Promise<unknown>>();
  /** Answers at once (as recorded); `then` is what follows the record, beside it too. */
  const track = (record: Promise<boolean>) => {
    const done: Promise<unknown> = record
      .catch(() => undefined)
      .finally(() => {
        pending.delete(done);
      });
    pending.add(done);
    return Promise.resolve(true);
  };
  return {
    of: (
      steps: ErasureSteps,
      /** What a rewrite not recorded starts over (the version's store). */
      storeOf: (version: ProjectionVersion) => Pick<ReadModelStore, 'eraseHistoryAgain'>,
    ): ErasureSteps => ({
      detailHidden: (userId, version, at) => track(steps.detailHidden(userId, version, at)),
      historyRewritten: (userId, version, at) =>
        track(recordRewrite(storeOf(version), steps, userId, version, at).then(() => true)),
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
  store: PendingErasures & ErasureTarget & Pick<ReadModelStore, 'eraseHistoryAgain'>,
  steps: ErasureSteps,
  version: ProjectionVersion,
  now: () => Date = () => new Date(),
): PendingErasures & ErasureTarget => ({
  pendingErasures: (limit) => store.pendingErasures(limit),
  hideErased: async (userId) => {
    await store.hideErased(userId);
    await steps.detailHidden(userId, version, now());
  },
  eraseHistory: async (userId, deadline) => {
    const done = await store.eraseHistory(userId, deadline);
    if (done) await recordRewrite(store, steps, userId, version, now());
    return done;
  },
});

/**
 * A projection version as a build or a repair (rebuild, redrive) restores users into it: a user
 * restored erased has, once the restore resolved, a hidden detail and every history entry without
 * personal data (the fold of an erasure, USER_ERASED being a user's last event), so both steps
 * are recorded then. For a version built after the erasure, that is when its build wrote the
 * user: it never held their name.
 */
export const recordingRestorer = (
  restorer: ReadModelRestorer,
  steps: ErasureSteps,
  version: ProjectionVersion,
  now: () => Date = () => new Date(),
): ReadModelRestorer => ({
  restoreUser: async (models) => {
    await restorer.restoreUser(models);
    if (!models.detail.erased) return;
    const at = now();
    await steps.detailHidden(models.detail.userId, version, at);
    await steps.historyRewritten(models.detail.userId, version, at);
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
