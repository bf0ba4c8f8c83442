import type { HistoryEntry, UserDetail, UserSummary } from '../projections';

/** Where a paged read stopped; opaque to clients (it travels inside a signed token). */
export type PageKey = Record<string, string | number>;
export type Page<T> = { items: T[]; next?: PageKey };

export interface ReadModelStore {
  /** Consistent read, tombstones included: the projector's position for this user. */
  getDetail(userId: string): Promise<UserDetail | null>;
  putHistoryEntry(entry: HistoryEntry): Promise<void>;
  /**
   * Moves the user from `previousVersion` to `detail.version`. False if the detail was no longer
   * at `previousVersion`: another writer got there first, and nothing was written.
   */
  advance(detail: UserDetail, previousVersion: number): Promise<boolean>;
}

export interface ReadModelQueries {
  getDetail(userId: string): Promise<UserDetail | null>;
  getHistoryEntry(userId: string, sequence: number): Promise<HistoryEntry | null>;
  listSummaries(limit: number, after?: PageKey): Promise<Page<UserSummary>>;
  listHistory(userId: string, limit: number, after?: PageKey): Promise<Page<HistoryEntry>>;
}
