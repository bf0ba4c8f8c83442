import type {
  ErasureTarget,
  FinishedRewrite,
  PendingErasures,
  ReadModelStore,
  RecordedErasures,
} from '../../services/query-service/src/application/ports';
import {
  erasedPlaceholder,
  eraseHistoryEntry,
  type HistoryEntry,
  type RecentEvent,
  type UserDetail,
} from '../../services/query-service/src/projections';

/**
 * The ReadModelStore contract in memory, with the same conditional semantics as the DynamoDB
 * adapter, for fast property-based tests of the projection logic. An erasure's history rewrite
 * moves at most `entriesPerPass` entries per call, as one that runs out of time would.
 */
export class InMemoryReadModelStore
  implements ReadModelStore, PendingErasures, ErasureTarget, RecordedErasures
{
  readonly details = new Map<string, UserDetail>();
  readonly history = new Map<string, HistoryEntry>();
  /** Erased users whose history rewrite is unfinished (or not ended), and how far it got. */
  readonly erasing = new Map<string, number>();
  /** Each pending user's round of the rewrite: every (re)start a new one, as in DynamoDB. */
  private readonly rounds = new Map<string, string>();
  private started = 0;

  constructor(private readonly entriesPerPass = Number.POSITIVE_INFINITY) {}

  async getDetail(userId: string) {
    return this.details.get(userId) ?? null;
  }

  async getDetails(userIds: string[]) {
    const found = userIds.flatMap((userId) => {
      const detail = this.details.get(userId);
      return detail ? [[userId, detail] as const] : [];
    });
    return new Map(found);
  }

  async putHistoryEntries(entries: HistoryEntry[]) {
    for (const entry of entries) this.history.set(`${entry.userId}#${entry.version}`, entry);
  }

  async advance(detail: UserDetail, previousVersion: number) {
    const current = this.details.get(detail.userId);
    if ((current?.version ?? 0) !== previousVersion) return false;
    // An erased user is never written over by a detail with personal data (read before the mark).
    if (current?.erased && !detail.erased) return false;
    this.details.set(detail.userId, detail);
    if (detail.erased) this.startErasure(detail.userId);
    return true;
  }

  private startErasure(userId: string) {
    this.erasing.set(userId, 0);
    this.rounds.set(userId, String(++this.started));
  }

  readonly feed: RecentEvent[] = [];

  async addToFeed(events: RecentEvent[]) {
    this.feed.push(...events);
  }

  async recentEvents(limit: number) {
    return this.feed.slice(-limit).reverse();
  }

  async eraseHistory(userId: string) {
    const rewrite = await this.rewriteHistory(userId);
    if (rewrite) await this.endErasure(rewrite);
    return rewrite !== null && !this.erasing.has(userId);
  }

  async rewriteHistory(userId: string): Promise<FinishedRewrite | null> {
    const from = this.erasing.get(userId);
    const round = this.rounds.get(userId);
    if (from === undefined || round === undefined) return { userId };
    const entries = [...this.history.values()]
      .filter((entry) => entry.userId === userId && entry.version > from)
      .sort((a, b) => a.version - b.version);
    const pass = entries.slice(0, this.entriesPerPass);
    await this.putHistoryEntries(pass.map(eraseHistoryEntry));
    // As DynamoDB's conditional cursor: a round started meanwhile is left to passes of its own.
    if (this.rounds.get(userId) !== round) return null;
    const through = pass.at(-1)?.version ?? from;
    this.erasing.set(userId, through);
    return pass.length === entries.length ? { userId, pending: { round, through } } : null;
  }

  async endErasure({ userId, pending }: FinishedRewrite) {
    if (
      pending &&
      this.rounds.get(userId) === pending.round &&
      this.erasing.get(userId) === pending.through
    ) {
      this.erasing.delete(userId);
      this.rounds.delete(userId);
    }
  }

  async markErased(userId: string) {
    const detail = this.details.get(userId) ?? erasedPlaceholder(userId);
    this.details.set(userId, { ...detail, name: null, email: null, erased: true });
    this.startErasure(userId);
  }

  async hideErased(userId: string) {
    await this.markErased(userId);
  }

  async eraseHistoryAgain(userId: string) {
    if (this.details.get(userId)?.erased) this.startErasure(userId);
  }

  async pendingErasures(limit: number) {
    return [...this.erasing.keys()].slice(0, limit);
  }
}
