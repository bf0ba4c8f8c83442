import {
  feedPosition,
  type HistoryEntry,
  type RecentEvent,
  type UserDetail,
  type UserSummary,
} from '../projections';

/**
 * Attribute names keep the original app's PascalCase (`UserID`, `Name`, ...), so its table
 * layout and API field names stay recognisable.
 */
type Item = Record<string, unknown>;

export const toDetailItem = (detail: UserDetail) => ({
  UserID: detail.userId,
  Name: detail.name,
  Email: detail.email,
  Balance: detail.balance,
  Version: detail.version,
  CreatedAt: detail.createdAt,
  UpdatedAt: detail.updatedAt,
  ...(detail.balanceUpdatedAt !== undefined && { BalanceUpdatedAt: detail.balanceUpdatedAt }),
  ...(detail.erasurePendingUntil !== undefined && {
    ErasurePendingUntil: detail.erasurePendingUntil,
  }),
  Deleted: detail.deleted,
  ...(detail.erased && { Erased: true }),
});

export const fromDetailItem = (item: Item): UserDetail => ({
  userId: item.UserID as string,
  name: item.Name as string | null,
  email: item.Email as string | null,
  balance: item.Balance as number,
  version: item.Version as number,
  createdAt: item.CreatedAt as string,
  updatedAt: item.UpdatedAt as string,
  ...(typeof item.BalanceUpdatedAt === 'string' && { balanceUpdatedAt: item.BalanceUpdatedAt }),
  ...(typeof item.ErasurePendingUntil === 'string' && {
    erasurePendingUntil: item.ErasurePendingUntil,
  }),
  deleted: item.Deleted as boolean,
  erased: item.Erased === true,
});

/**
 * The detail table's item: the detail plus `ListedUserID` while the user is listed, which puts
 * it in the sparse list index that GET /list reads.
 */
export const toDetailTableItem = (detail: UserDetail) => ({
  ...toDetailItem(detail),
  ...(!detail.deleted && { ListedUserID: detail.userId }),
});

export const fromListIndexItem = (item: Item): UserSummary => ({
  userId: item.UserID as string,
  name: item.Name as string,
});

export const toHistoryItem = (entry: HistoryEntry) => ({
  UserID: entry.userId,
  Sequence: entry.version,
  EventType: entry.eventType,
  Payload: entry.payload,
  OccurredAt: entry.occurredAt,
  DetailAfter: toDetailItem(entry.detailAfter),
  ...(entry.erased && { Erased: true }),
});

export const fromHistoryItem = (item: Item): HistoryEntry => ({
  userId: item.UserID as string,
  version: item.Sequence as number,
  eventType: item.EventType as HistoryEntry['eventType'],
  payload: item.Payload as Record<string, unknown>,
  occurredAt: item.OccurredAt as string,
  detailAfter: fromDetailItem(item.DetailAfter as Item),
  erased: item.Erased === true,
});

/** In the feed's one partition, read newest first (see feedPosition). */
export const toFeedItem = (feed: string, event: RecentEvent, ttlSeconds: number) => ({
  Feed: feed,
  Position: feedPosition(event),
  UserID: event.userId,
  Sequence: event.version,
  EventType: event.eventType,
  OccurredAt: event.occurredAt,
  ...(event.delta !== undefined && { Delta: event.delta }),
  ExpiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + ttlSeconds,
});

export const fromFeedItem = (item: Item): RecentEvent => ({
  userId: item.UserID as string,
  version: item.Sequence as number,
  eventType: item.EventType as string,
  occurredAt: item.OccurredAt as string,
  ...(item.Delta !== undefined && { delta: item.Delta as number }),
});
