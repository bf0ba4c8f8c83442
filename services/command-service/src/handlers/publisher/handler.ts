import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { documentClientFromEnv, FUNCTION_CLIENT_OPTIONS, requiredEnv } from '@users/shared/dynamo';
import { observeInvocation, traceClient } from '@users/shared/observability';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoErasureReceipts } from '../../infrastructure/dynamo-erasure-receipts';
import { EventBridgeBus } from '../../infrastructure/eventbridge-bus';
import { publisherMetrics } from './metrics';
import { createPublisher } from './publisher';

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
  .use(observeInvocation<DynamoDBStreamEvent, DynamoDBBatchResponse>())
  .handler(
    createPublisher(
      new EventBridgeBus(
        traceClient(new EventBridgeClient(FUNCTION_CLIENT_OPTIONS)),
        requiredEnv('EVENT_BUS_ARN'),
      ),
      new DynamoErasureReceipts(documentClientFromEnv(), requiredEnv('ERASURE_RECEIPTS_TABLE')),
      publisherMetrics,
    ),
  );
