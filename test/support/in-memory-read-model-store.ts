import type { ReadModelStore } from '../../services/query-service/src/application/ports';
import {
  eraseHistoryEntry,
  type HistoryEntry,
  type RecentEvent,
  type UserDetail,
} from '../../services/query-service/src/projections';

/**
 * The ReadModelStore contract in memory, with the same conditional semantics as the DynamoDB
 * adapter, for fast property-based tests of the projection logic.
 */
export class InMemoryReadModelStore implements ReadModelStore {
  readonly details = new Map<string, UserDetail>();
  readonly history = new Map<string, HistoryEntry>();

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
    if ((this.details.get(detail.userId)?.version ?? 0) !== previousVersion) return false;
    this.details.set(detail.userId, detail);
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
    for (const [key, entry] of this.history) {
      if (entry.userId === userId) this.history.set(key, eraseHistoryEntry(entry));
    }
  }
}
