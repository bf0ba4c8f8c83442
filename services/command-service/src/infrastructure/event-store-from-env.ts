import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dataKeysFromEnv } from '@users/shared';
import { requiredEnv } from '@users/shared/dynamo';
import { DynamoEventStore } from './dynamo-event-store';

/** The event store of a function that writes events, its tables named by its environment. */
export const eventStoreFromEnv = (client: DynamoDBDocumentClient) =>
  new DynamoEventStore(
    client,
    {
      events: requiredEnv('EVENTS_TABLE'),
      idempotency: requiredEnv('IDEMPOTENCY_TABLE'),
      erasureReceipts: requiredEnv('ERASURE_RECEIPTS_TABLE'),
      pendingErasures: requiredEnv('PENDING_ERASURES_TABLE'),
    },
    dataKeysFromEnv(),
  );
