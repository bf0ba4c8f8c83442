import type { UserDetail } from './user-detail';

/**
 * The read model behind GET /list: one row per user that exists and is not deleted. It carries
 * no version of its own: it is only ever written together with the detail, which does.
 */
export type UserSummary = { userId: string; name: string };

export const toSummary = (detail: UserDetail): UserSummary | null =>
  detail.deleted ? null : { userId: detail.userId, name: detail.name };

/** Balance changes leave the summary as it is: no write needed. */
export const summaryChanged = (before: UserDetail | null, after: UserDetail): boolean => {
  const previous = before && toSummary(before);
  const next = toSummary(after);
  return previous?.name !== next?.name || (previous === null) !== (next === null);
};
