import middy from '@middy/core';
import { dataKeysFromEnv } from '@users/shared';
import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { observeInvocation } from '@users/shared/observability';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoUserEvents } from '../../infrastructure/dynamo-user-events';
import { readModelStore } from '../dependencies';
import { projectorMetrics } from './metrics';
import { createProjector } from './projector';

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
  .use(observeInvocation<DynamoDBStreamEvent, DynamoDBBatchResponse>())
  .handler(
    createProjector(
      readModelStore,
      dataKeysFromEnv(),
      new DynamoUserEvents(documentClientFromEnv(), requiredEnv('EVENTS_TABLE')),
      projectorMetrics,
    ),
  );
