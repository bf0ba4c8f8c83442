import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventStore, EventType } from '@castore/core';
import {
  DynamoDBSingleTableEventStorageAdapter,
  EVENT_TABLE_EVENT_STORE_ID_KEY,
  EVENT_TABLE_INITIAL_EVENT_INDEX_NAME,
  EVENT_TABLE_PK,
  EVENT_TABLE_SK,
  EVENT_TABLE_TIMESTAMP_KEY,
} from '@castore/event-storage-adapter-dynamodb';

/**
 * The same user domain on Castore 2.4.2 (a peer, for the bench only): its event store with the
 * DynamoDB single-table adapter, a command as Castore's demo writes one (getAggregate, decide,
 * pushEvent at the next version), on a DynamoDB Local of its own.
 */
const userCreated = new EventType<'USER_CREATED', { name: string; email: string }>({
  type: 'USER_CREATED',
});
const userBalance = new EventType<'USER_BALANCE', { delta: number }>({ type: 'USER_BALANCE' });

type UserAggregate = { aggregateId: string; version: number; balance: number };

const STORE_ID = 'USERS';

/**
 * Castore's table; `stream` turns on the DynamoDB Stream (new images) that its users feed
 * projections and message buses from, as the product's events table has: on DynamoDB Local a
 * stream costs every write, in AWS nothing.
 */
export const createCastoreTable = async (client: DynamoDBClient, { stream = false } = {}) => {
  const tableName = `castore-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: EVENT_TABLE_PK, AttributeType: 'S' },
        { AttributeName: EVENT_TABLE_SK, AttributeType: 'N' },
        { AttributeName: EVENT_TABLE_EVENT_STORE_ID_KEY, AttributeType: 'S' },
        { AttributeName: EVENT_TABLE_TIMESTAMP_KEY, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: EVENT_TABLE_PK, KeyType: 'HASH' },
        { AttributeName: EVENT_TABLE_SK, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: EVENT_TABLE_INITIAL_EVENT_INDEX_NAME,
          KeySchema: [
            { AttributeName: EVENT_TABLE_EVENT_STORE_ID_KEY, KeyType: 'HASH' },
            { AttributeName: EVENT_TABLE_TIMESTAMP_KEY, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      ...(stream && {
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    }),
  );
  return tableName;
};

/** The users on Castore's table through `client` (the bench's clients count what it sends). */
export const castoreUsers = (client: DynamoDBClient, tableName: string) => {
  const store = new EventStore({
    eventStoreId: STORE_ID,
    eventTypes: [userCreated, userBalance],
    reducer: (aggregate: UserAggregate | undefined, event): UserAggregate =>
      event.type === 'USER_CREATED'
        ? { aggregateId: event.aggregateId, version: event.version, balance: 0 }
        : {
            aggregateId: event.aggregateId,
            version: event.version,
            balance: (aggregate?.balance ?? 0) + (event.payload as { delta: number }).delta,
          },
    eventStorageAdapter: new DynamoDBSingleTableEventStorageAdapter({
      tableName,
      dynamoDBClient: client,
    }),
  });
  return {
    /** A user with `length` events: created, then balance changes of 1. */
    seed: async (userId: string, length: number) => {
      const timestamp = new Date().toISOString();
      for (let version = 1; version <= length; version++) {
        await store.pushEvent(
          version === 1
            ? {
                aggregateId: userId,
                version,
                type: 'USER_CREATED',
                payload: { name: 'Bench User', email: 'bench@example.com' },
                timestamp,
              }
            : {
                aggregateId: userId,
                version,
                type: 'USER_BALANCE',
                payload: { delta: 1 },
                timestamp,
              },
        );
      }
    },
    /** USER_BALANCE +1, as the product's command decides it: the user must exist, no overdraw. */
    addToBalance: async (userId: string, delta: number) => {
      const { aggregate } = await store.getAggregate(userId);
      if (!aggregate) throw new Error(`${userId} not found`);
      if (aggregate.balance + delta < 0) throw new Error('insufficient balance');
      await store.pushEvent({
        aggregateId: userId,
        version: aggregate.version + 1,
        type: 'USER_BALANCE',
        payload: { delta },
      });
    },
  };
};
