import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { DynamoErasureReceipts } from '../../infrastructure/dynamo-erasure-receipts';
import { DynamoProjectionRegistry } from '../../infrastructure/dynamo-projection-registry';
import { createErasureReceiptHandler } from './erasure-receipt';

/**
 * GET /erasures/{user_id}. Reads the receipt (the command service's table, by name or ARN) and
 * the projection registry only: no read model, no event, no key.
 */
export const handler = createErasureReceiptHandler({
  receipts: new DynamoErasureReceipts(
    documentClientFromEnv(),
    requiredEnv('ERASURE_RECEIPTS_TABLE'),
  ),
  registry: new DynamoProjectionRegistry(documentClientFromEnv(), requiredEnv('PROJECTIONS_TABLE')),
});
