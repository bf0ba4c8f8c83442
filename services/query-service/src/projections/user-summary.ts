import type { UserDetail } from './user-detail';

/** The read model behind GET /list: one row per user that exists and is not deleted. */
export type UserSummary = { userId: string; name: string; version: number };

export const toSummary = (detail: UserDetail): UserSummary | null =>
  detail.deleted ? null : { userId: detail.userId, name: detail.name, version: detail.version };

/** Balance changes leave the summary as it is: no write needed. */
export const summaryChanged = (before: UserDetail | null, after: UserDetail): boolean => {
  const previous = before && toSummary(before);
  const next = toSummary(after);
  return previous?.name !== next?.name || (previous === null) !== (next === null);
};
