import type { HistoryEntry, UserDetail, UserSummary } from '../projections';

/** Where a paged read stopped; opaque to clients (it travels inside a signed token). */
export type PageKey = Record<string, string | number>;
export type Page<T> = { items: T[]; next?: PageKey };

export interface ReadModelStore {
  /** Consistent read, tombstones included: the projector's position for this user. */
  getDetail(userId: string): Promise<UserDetail | null>;
  putHistoryEntry(entry: HistoryEntry): Promise<void>;
  /** Writes (or, for null, removes) the summary unless a newer version is already there. */
  putSummary(userId: string, summary: UserSummary | null, version: number): Promise<void>;
  /** Writes the detail only if it still is at `previousVersion`; false if someone moved it. */
  putDetail(detail: UserDetail, previousVersion: number): Promise<boolean>;
}

export interface ReadModelQueries {
  getDetail(userId: string): Promise<UserDetail | null>;
  getHistoryEntry(userId: string, sequence: number): Promise<HistoryEntry | null>;
  listSummaries(limit: number, after?: PageKey): Promise<Page<UserSummary>>;
  listHistory(userId: string, limit: number, after?: PageKey): Promise<Page<HistoryEntry>>;
}
