import middy from '@middy/core';
import { dataKeysFromEnv } from '@users/shared';
import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { observeInvocation } from '@users/shared/observability';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoUserEvents } from '../../infrastructure/dynamo-user-events';
import { erasureReceipts, feedStore, projectionRegistry, readModelsOf } from '../dependencies';
import { createStageProjector } from './stage-projector';

const events = new DynamoUserEvents(documentClientFromEnv(), requiredEnv('EVENTS_TABLE'));

/** The stage's projector as one execution environment holds it (its own data-key cache). */
export const stageProjectorFromEnv = () =>
  createStageProjector({
    registry: projectionRegistry,
    storeOf: (version, role, signal) => {
      const store =
        role === 'live' ? readModelsOf(version).withFeed(feedStore) : readModelsOf(version);
      return signal ? store.until(signal) : store;
    },
    keys: dataKeysFromEnv(),
    events: (signal) => (signal ? events.until(signal) : events),
    receipts: erasureReceipts,
  });

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
  .use(observeInvocation<DynamoDBStreamEvent, DynamoDBBatchResponse>())
  .handler(stageProjectorFromEnv());
