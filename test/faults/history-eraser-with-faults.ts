import middy from '@middy/core';
import { requiredEnv } from '@users/shared/dynamo';
import { observeInvocation } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import {
  erasureReceipts,
  readModelsOf,
} from '../../services/query-service/src/handlers/dependencies';
import { createHistoryEraser } from '../../services/query-service/src/handlers/history-eraser/history-eraser';
import { DynamoReadModelStore } from '../../services/query-service/src/infrastructure/dynamo-read-model-store';
import { throttledHistoryClient } from './projector-faults';

/**
 * The history eraser of a fault drill (see projector-with-faults.ts): its history writes as slow
 * as the fault file says (PROJECTOR_FAULT_FILE), like the projector's. No deployed bundle contains it.
 */
const store = new DynamoReadModelStore(
  throttledHistoryClient(requiredEnv('PROJECTOR_FAULT_FILE')),
  readModelsOf(1).tables,
);

/** Drills run on the first projection version only: no other version, so no erasure marks. */
const firstVersionOnly = {
  state: async () => ({ live: 1 as const, followers: [] }),
  erasureMarks: async () => [],
  clearErasureMark: async () => {},
};

export const handler = middy<unknown, unknown, Error, Context>()
  .use(observeInvocation())
  .handler(createHistoryEraser(firstVersionOnly, () => store, erasureReceipts));
