import type {
  ErasureTarget,
  PendingErasures,
  ReadModelStore,
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
export class InMemoryReadModelStore implements ReadModelStore, PendingErasures, ErasureTarget {
  readonly details = new Map<string, UserDetail>();
  readonly history = new Map<string, HistoryEntry>();
  /** Erased users whose history rewrite is unfinished, and how far it got. */
  readonly erasing = new Map<string, number>();

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
    if (detail.erased) this.erasing.set(detail.userId, 0);
    return true;
  }

  readonly feed: RecentEvent[] = [];

  async addToFeed(events: RecentEvent[]) {
    this.feed.push(...events);
  }

  async recentEvents(limit: number) {
    return this.feed.slice(-limit).reverse();
  }

  async eraseHistory(userId: string) {
    const from = this.erasing.get(userId);
    if (from === undefined) return true;
    const entries = [...this.history.values()]
      .filter((entry) => entry.userId === userId && entry.version > from)
      .sort((a, b) => a.version - b.version);
    const pass = entries.slice(0, this.entriesPerPass);
    await this.putHistoryEntries(pass.map(eraseHistoryEntry));
    if (pass.length === entries.length) {
      this.erasing.delete(userId);
      return true;
    }
    this.erasing.set(userId, pass.at(-1)?.version ?? from);
    return false;
  }

  async markErased(userId: string) {
    const detail = this.details.get(userId) ?? erasedPlaceholder(userId);
    this.details.set(userId, { ...detail, name: null, email: null, erased: true });
    this.erasing.set(userId, 0);
  }

  async hideErased(userId: string) {
    await this.markErased(userId);
  }

  async eraseHistoryAgain(userId: string) {
    if (this.details.get(userId)?.erased) this.erasing.set(userId, 0);
  }

  async pendingErasures(limit: number) {
    return [...this.erasing.keys()].slice(0, limit);
  }
}
