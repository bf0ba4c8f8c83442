import middy from '@middy/core';
import { dataKeysFromEnv } from '@users/shared';
import { requiredEnv } from '@users/shared/dynamo';
import { observeInvocation } from '@users/shared/observability';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  erasureReceipts,
  feedStore,
  projectionRegistry,
  tablesOf,
} from '../../services/query-service/src/handlers/dependencies';
import { createStageProjector } from '../../services/query-service/src/handlers/projector/stage-projector';
import { DynamoReadModelStore } from '../../services/query-service/src/infrastructure/dynamo-read-model-store';
import { DynamoUserEvents } from '../../services/query-service/src/infrastructure/dynamo-user-events';
import { throttledHistoryClient, withFaults } from './projector-faults';

const faultFile = requiredEnv('PROJECTOR_FAULT_FILE');
const client = throttledHistoryClient(faultFile);

/**
 * The projector of a fault drill: `PROJECTOR_FAULT_FILE=/tmp/faults npm start` runs this handler
 * in place of the real one (see scripts/local-stack/offline.ts); no deployed bundle contains it.
 * The faults apply to the projection versions the fault file names (every one by default).
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
  .use(observeInvocation<DynamoDBStreamEvent, DynamoDBBatchResponse>())
  .handler(
    createStageProjector({
      registry: projectionRegistry,
      storeOf: (version, role, signal) =>
        withFaults(
          new DynamoReadModelStore(
            client,
            {
              ...tablesOf(version),
              recentEvents: role === 'live' ? feedStore.tables.recentEvents : undefined,
            },
            signal,
          ),
          faultFile,
          version,
        ),
      keys: dataKeysFromEnv(),
      events: (signal) => new DynamoUserEvents(client, requiredEnv('EVENTS_TABLE'), signal),
      receipts: erasureReceipts,
    }),
  );
