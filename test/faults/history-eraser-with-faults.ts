import { requiredEnv } from '@users/shared/dynamo';
import type { Context } from 'aws-lambda';
import { finishErasures } from '../../services/query-service/src/application/finish-erasures';
import { readModelStore } from '../../services/query-service/src/handlers/dependencies';
import { DynamoReadModelStore } from '../../services/query-service/src/infrastructure/dynamo-read-model-store';
import { throttledHistoryClient } from './projector-faults';

/**
 * The history eraser of a fault drill (see projector-with-faults.ts): its history writes as slow
 * as the fault file says (PROJECTOR_FAULT_FILE), like the projector's. No deployed bundle contains it.
 */
const store = new DynamoReadModelStore(
  throttledHistoryClient(requiredEnv('PROJECTOR_FAULT_FILE')),
  readModelStore.tables,
);

export const handler = (_event: unknown, context: Context) =>
  finishErasures(store, Date.now() + context.getRemainingTimeInMillis() - 5000);
