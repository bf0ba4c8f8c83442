import type { UserDetail } from './user-detail';

/**
 * A row of GET /list: every user that exists and is not deleted. It is not stored on its own:
 * the detail table's sparse list index derives it from the detail, so the two always agree.
 */
export type UserSummary = { userId: string; name: string | null };

export const toSummary = (detail: UserDetail): UserSummary | null =>
  detail.deleted ? null : { userId: detail.userId, name: detail.name };
