import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import middy from '@middy/core';
import { FUNCTION_CLIENT_OPTIONS, requiredEnv } from '@users/shared/dynamo';
import { observeInvocation, traceClient } from '@users/shared/observability';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeBus } from '../../infrastructure/eventbridge-bus';
import { EventBridgeErasureScheduler } from '../../infrastructure/eventbridge-erasure-scheduler';
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
      new EventBridgeErasureScheduler(traceClient(new SchedulerClient(FUNCTION_CLIENT_OPTIONS)), {
        group: requiredEnv('ERASURE_SCHEDULE_GROUP'),
        functionArn: requiredEnv('ERASER_FUNCTION_ARN'),
        roleArn: requiredEnv('ERASURE_SCHEDULER_ROLE_ARN'),
        failureQueueArn: requiredEnv('ERASURE_FAILURE_QUEUE_ARN'),
      }),
      publisherMetrics,
    ),
  );
