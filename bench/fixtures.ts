import { randomBytes, randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { encodeEvent, KmsDataKeys, type RecordedEvent, SCHEMA_VERSION } from '@users/shared';
import { createDocumentClient } from '@users/shared/dynamo';
import { startDynamoDbLocal } from '../scripts/local-stack/dynamodb-local';
import { startLocalAws } from '../scripts/local-stack/local-aws';
import { LOCAL_KMS_KEY_ID } from '../scripts/local-stack/local-kms';
import { stopProcessGroup } from '../scripts/local-stack/processes';
import { COMMAND_FUNCTION_TABLES, createTables } from '../scripts/local-stack/tables';

import { SNAPSHOT_VERSION } from '../services/command-service/src/infrastructure/dynamo-event-store';

/**
 * Event items as the command service writes them (event, metadata and the state after it),
 * personal fields sealed under `key`, the user's data key.
 */
export const userHistoryItems = (
  userId: string,
  length: number,
  key: Buffer,
  { name, email } = { name: 'Bench User', email: 'bench@example.com' },
) =>
  Array.from({ length }, (_, index) => {
    const version = index + 1;
    const event = {
      ...(version === 1
        ? { type: 'USER_CREATED', payload: { name, email } }
        : { type: 'USER_BALANCE', payload: { delta: 1 } }),
      userId: userId,
      version,
      eventId: randomUUID(),
      occurredAt: new Date(Date.UTC(2026, 0, 1) + version * 1000).toISOString(),
      correlationId: 'bench',
      schemaVersion: SCHEMA_VERSION,
    } as RecordedEvent;
    const state = { status: 'active', name, email, balance: version - 1 };
    return encodeEvent(event, { state, stateVersion: SNAPSHOT_VERSION }, key);
  });

/** BatchWriteItem in chunks of 25 with a few in flight, retrying what DynamoDB leaves unprocessed. */
export const writeItems = async (
  client: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
  inFlight = 8,
) => {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < chunks.length) {
        let requests = (chunks[next++] as Record<string, unknown>[]).map((Item) => ({
          PutRequest: { Item },
        }));
        while (requests.length > 0) {
          const { UnprocessedItems } = await client.send(
            new BatchWriteCommand({ RequestItems: { [table]: requests } }),
          );
          requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }
    }),
  );
};

/** The data keys the bundled command handler uses: `table` on DynamoDB Local, the local KMS. */
/**
 * Where the command function makes erasure schedules: configured as in a stage, never called by
 * the bench's commands (USER_BALANCE and USER_CREATED schedule nothing).
 */
export const ERASURE_SCHEDULE_ENVIRONMENT = {
  ERASURE_SCHEDULE_GROUP: 'users-bench-erasures',
  ERASER_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:bench-scheduledErasure',
  ERASURE_SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/bench-erasure-scheduler',
  ERASURE_FAILURE_QUEUE_ARN: 'arn:aws:sqs:us-east-1:000000000000:bench-erasure-failures',
};

export const benchDataKeys = (endpoint: string, kmsEndpoint: string, table: string) => {
  Object.assign(process.env, {
    DATA_KEYS_TABLE: table,
    KMS_KEY_ID: LOCAL_KMS_KEY_ID,
    AWS_ENDPOINT_URL_KMS: kmsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  return new KmsDataKeys(
    createDocumentClient({ endpoint }),
    new KMSClient({
      region: 'us-east-1',
      endpoint: kmsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { table, kmsKeyId: LOCAL_KMS_KEY_ID },
  );
};

/** A user's history sealed under the user's own data key (made in `keys`). */
export const sealedHistoryItems = async (keys: KmsDataKeys, userId: string, length: number) =>
  userHistoryItems(userId, length, await keys.readOrCreate(userId));

/** Sealed under a throwaway key, for baselines that never open them. */
export const throwawayHistoryItems = (userId: string, length: number) =>
  userHistoryItems(userId, length, randomBytes(32));

/** Creates each user through `POST /command` of a running stack; anything but 200 stops the bench. */
export const createUsersOverHttp = async (baseUrl: string, userIds: readonly string[]) => {
  for (const userId of userIds) {
    const response = await fetch(`${baseUrl}/command`, {
      method: 'POST',
      body: JSON.stringify({
        user_id: userId,
        event_type: 'USER_CREATED',
        payload: { name: 'B', email: 'b@example.com' },
      }),
    });
    if (response.status !== 200) throw new Error(`could not create ${userId}: ${response.status}`);
  }
};

/** The raw baselines' read of a user's newest version: one consistent Query, Limit 1. */
export const rawHeadVersion = async (
  client: DynamoDBDocumentClient,
  table: string,
  userId: string,
) => {
  const { Items } = await client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'AggregateID = :id',
      ExpressionAttributeValues: { ':id': userId },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return Items?.[0]?.Sequence as number;
};

/**
 * Runs `scenario` on a DynamoDB Local of its own on `port` (and a local KMS on `port + 4`): one
 * that already holds the other scenarios' data writes far slower.
 */
export const onOwnDynamoDbLocal = async <T>(
  port: number,
  scenario: (endpoint: string, kmsEndpoint: string) => Promise<T>,
) => {
  const dynamodb = await startDynamoDbLocal(port);
  const localAws = await startLocalAws(port + 4);
  try {
    return await scenario(dynamodb.endpoint, localAws.endpoint);
  } finally {
    await localAws.stop();
    await stopProcessGroup(dynamodb.process, 'SIGKILL');
  }
};

/**
 * The command function's tables on a DynamoDB Local, made afresh, and the environment its bundle
 * reads as it loads (set before it is required; the caller puts the environment back if it must).
 */
export const commandFunctionTables = async (endpoint: string) => {
  const tables = await createTables(endpoint, COMMAND_FUNCTION_TABLES);
  Object.assign(process.env, {
    EVENTS_TABLE: tables.EventsTable,
    IDEMPOTENCY_TABLE: tables.IdempotencyTable,
    ERASURE_RECEIPTS_TABLE: tables.ErasureReceiptsTable,
    PENDING_ERASURES_TABLE: tables.PendingErasuresTable,
    DYNAMODB_ENDPOINT: endpoint,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...ERASURE_SCHEDULE_ENVIRONMENT,
  });
  return tables;
};
