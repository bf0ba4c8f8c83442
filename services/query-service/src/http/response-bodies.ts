import { toDetailItem } from '../infrastructure/read-model-items';
import type { UserDetail, UserSummary } from '../projections';

/** While an erasure waits out its grace period: when it is due; nothing otherwise. */
const erasurePending = (until: string | undefined) =>
  until === undefined ? {} : { erasure_pending_until: until };

/**
 * GET /detail's 200 (detailBodySchema). The original API answered with the stored item itself:
 * the same names, the tombstone's flag aside. The pending erasure is this API's, named as the
 * rest of it (snake_case, as `erase_after` in the event it comes from).
 */
export const detailBody = (detail: UserDetail) => {
  const { Deleted: _, ErasurePendingUntil: __, ...stored } = toDetailItem(detail);
  return { ...stored, ...erasurePending(detail.erasurePendingUntil) };
};

/** An entry of GET /list's 200 (listBodySchema). */
export const listedUser = ({ userId, name, erasurePendingUntil }: UserSummary) => ({
  UserID: userId,
  Name: name,
  ...erasurePending(erasurePendingUntil),
});
