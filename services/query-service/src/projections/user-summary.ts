import type { UserDetail } from './user-detail';

/**
 * A row of GET /list: every user that exists and is not deleted. It is not stored on its own:
 * the detail table's sparse list index derives it from the detail, so the two always agree.
 */
export type UserSummary = {
  userId: string;
  name: string | null;
  /** As the detail's: when the user's pending erasure is due. */
  erasurePendingUntil?: string;
};

export const toSummary = ({
  userId,
  name,
  erasurePendingUntil,
  deleted,
}: UserDetail): UserSummary | null =>
  deleted
    ? null
    : { userId, name, ...(erasurePendingUntil !== undefined && { erasurePendingUntil }) };
