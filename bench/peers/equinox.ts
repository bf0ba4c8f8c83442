import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDB } from '@aws-sdk/client-dynamodb';
import { CachingStrategy, Codec, Decider, StreamId } from '@equinox-js/core';
import {
  AccessStrategy,
  DynamoStoreCategory,
  DynamoStoreClient,
  DynamoStoreContext,
  QueryOptions,
  TipOptions,
} from '@equinox-js/dynamo-store';

/**
 * The same user domain on EquinoxJS 1.2.0's DynamoStore (a peer, for the bench only): a stream's
 * recent events and a snapshot live in one Tip item, so a command reads one item (GetItem) and
 * rewrites it (UpdateItem, conditional on its version); once the Tip's events pass 32 KB
 * (TipOptions' default) they move out to an item of their own in the same transaction. Snapshot
 * access strategy, no cache (a function sees many users), on a DynamoDB Local of its own.
 */
type UserState = { exists: boolean; balance: number };

type UserEvent =
  | { type: 'USER_CREATED'; data: { name: string; email: string } }
  | { type: 'USER_BALANCE'; data: { delta: number } }
  | { type: 'Snapshotted'; data: UserState };

const initial: UserState = { exists: false, balance: 0 };

const evolve = (state: UserState, event: UserEvent): UserState => {
  switch (event.type) {
    case 'USER_CREATED':
      return { exists: true, balance: 0 };
    case 'USER_BALANCE':
      return { ...state, balance: state.balance + event.data.delta };
    case 'Snapshotted':
      return event.data;
  }
};

const fold = (state: UserState, events: UserEvent[]) => events.reduce(evolve, state);

/** USER_BALANCE, as the product's command decides it: the user must exist, no overdraw. */
const addToBalance =
  (delta: number) =>
  (state: UserState): UserEvent[] => {
    if (!state.exists) throw new Error('user not found');
    if (state.balance + delta < 0) throw new Error('insufficient balance');
    return [{ type: 'USER_BALANCE', data: { delta } }];
  };

const CATEGORY = 'User';

/**
 * Equinox's table (`p` the stream, `i` the batch's index); `stream` turns on the DynamoDB Stream
 * (new images) a projection or a bus would read, as the product's events table has one. Each
 * record of that stream is the whole Tip, as written.
 */
export const createEquinoxTable = async (client: DynamoDB, { stream = true } = {}) => {
  const tableName = `equinox-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'p', AttributeType: 'S' },
        { AttributeName: 'i', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'p', KeyType: 'HASH' },
        { AttributeName: 'i', KeyType: 'RANGE' },
      ],
      ...(stream && {
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    }),
  );
  return tableName;
};

/** The users on Equinox's table through `client` (the bench's clients count what it sends). */
export const equinoxUsers = (client: DynamoDB, tableName: string) => {
  const context = DynamoStoreContext.create({
    client: new DynamoStoreClient(client),
    tableName,
    tip: TipOptions.create({}),
    query: QueryOptions.create({}),
  });
  const category = DynamoStoreCategory.create(
    context,
    CATEGORY,
    Codec.compress(Codec.json<UserEvent>()),
    fold,
    initial,
    CachingStrategy.NoCache(),
    AccessStrategy.Snapshot(
      (event: UserEvent) => event.type === 'Snapshotted',
      (state: UserState): UserEvent => ({ type: 'Snapshotted', data: state }),
    ),
  );
  const user = (userId: string) => Decider.forStream(category, StreamId.create(userId), undefined);
  return {
    /** A user with `length` events, one command each: created, then balance changes of 1. */
    seed: async (userId: string, length: number) => {
      await user(userId).transact(() => [
        { type: 'USER_CREATED', data: { name: 'Bench User', email: 'bench@example.com' } },
      ]);
      for (let version = 2; version <= length; version++) {
        await user(userId).transact(addToBalance(1));
      }
    },
    addToBalance: (userId: string, delta: number) => user(userId).transact(addToBalance(delta)),
  };
};
