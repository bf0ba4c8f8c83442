import { HttpError, httpHandler, jsonResponse } from '@users/shared/http';
import { erasureReceiptBody } from '../../application/erasure-receipts';
import type { ErasureReceipt, ProjectionRegistry } from '../../application/ports';
import { authorizeQuery } from '../../http/authorization';
import { receiptUserId } from '../../http/query-schemas';
import { validateErasureReceiptRequest } from '../../http/query-validators';

/** No receipt: never erased, or erased by a release before receipts were kept. */
class NoReceiptError extends HttpError<'USER_NOT_FOUND'> {
  constructor() {
    super('USER_NOT_FOUND', 'No erasure receipt for this user ID', {});
  }
}

export type ErasureReceiptDependencies = {
  receipts: { receiptOf(userId: string): Promise<ErasureReceipt | null> };
  /** Which projection versions the stage keeps now: each has its own steps. */
  registry: Pick<ProjectionRegistry, 'state'>;
};

/**
 * GET /erasures/{user_id} (or ?user_id=): when each step of the user's erasure completed, for a data-protection
 * officer's records (docs/personal-data.md#receipt). Administrators only, refused before anything
 * is read.
 */
export const createErasureReceiptHandler = ({ receipts, registry }: ErasureReceiptDependencies) =>
  httpHandler(
    { authorize: authorizeQuery('erasures'), schema: validateErasureReceiptRequest },
    async (request) => {
      const userId = receiptUserId(request);
      const [receipt, state] = await Promise.all([receipts.receiptOf(userId), registry.state()]);
      if (!receipt) throw new NoReceiptError();
      return jsonResponse(200, erasureReceiptBody(receipt, state));
    },
  );
