import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { fromEventItem, toEventItem } from '@users/shared';
import {
  type AppendRequest,
  type EventStore,
  IdempotencyKeyTakenError,
  type IdempotencyRecord,
  type StreamHead,
  VersionTakenError,
} from '../application/ports';
import { fold, initialState } from '../domain/user';

export type EventStoreTables = { events: string; idempotency: string };

/**
 * Each event item carries the user's state after it (`State`), so the newest item alone answers
 * "where is this user?" in one read, however long the history.
 * SNAPSHOT_VERSION is bumped whenever UserState changes shape: a head written under another
 * version is ignored and the state is rebuilt by folding the user's whole history once.
 */
export const SNAPSHOT_VERSION = 1;

const versionIsFree = 'attribute_not_exists(AggregateID)';
const keyIsFreeOrExpired = 'attribute_not_exists(IdempotencyKey) OR ExpiresAt < :now';

export class DynamoEventStore implements EventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: EventStoreTables,
  ) {}

  async readHead(aggregateId: string): Promise<StreamHead> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.events,
        KeyConditionExpression: 'AggregateID = :id',
        ExpressionAttributeValues: { ':id': aggregateId },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const head = Items?.[0];
    if (!head) return { version: 0, state: initialState };
    if (head.StateVersion === SNAPSHOT_VERSION) {
      return { version: head.Sequence, state: head.State };
    }
    return this.replay(aggregateId);
  }

  async appendEvents({ events, idempotency }: AppendRequest): Promise<void> {
    const eventItems = events.map(({ event, stateAfter }) => ({
      ...toEventItem(event),
      State: stateAfter,
      StateVersion: SNAPSHOT_VERSION,
    }));
    const [single] = eventItems;
    if (single && eventItems.length === 1 && !idempotency) {
      await this.putEvent(single);
      return;
    }
    await this.transact(eventItems, idempotency);
  }

  async readIdempotency(key: string, now: Date): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.idempotency,
        Key: { IdempotencyKey: key },
        ConsistentRead: true,
      }),
    );
    if (!Item || Item.ExpiresAt < epochSeconds(now)) return undefined;
    return {
      key,
      requestHash: Item.RequestHash,
      result: Item.Result,
      recordedAt: Item.RecordedAt,
      expiresAt: Item.ExpiresAt,
    };
  }

  private async putEvent(item: Record<string, unknown>) {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.events,
          Item: item,
          ConditionExpression: versionIsFree,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionTakenError();
      throw error;
    }
  }

  private async transact(eventItems: Record<string, unknown>[], idempotency?: IdempotencyRecord) {
    const puts = eventItems.map((Item) => ({
      Put: { TableName: this.tables.events, Item, ConditionExpression: versionIsFree },
    }));
    const idempotencyPut = idempotency && {
      Put: {
        TableName: this.tables.idempotency,
        Item: {
          IdempotencyKey: idempotency.key,
          RequestHash: idempotency.requestHash,
          Result: idempotency.result,
          RecordedAt: idempotency.recordedAt,
          ExpiresAt: idempotency.expiresAt,
        },
        ConditionExpression: keyIsFreeOrExpired,
        ExpressionAttributeValues: { ':now': idempotency.recordedAt },
      },
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: idempotencyPut ? [...puts, idempotencyPut] : puts,
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
      if (idempotencyPut && codes[puts.length] === 'ConditionalCheckFailed') {
        throw new IdempotencyKeyTakenError();
      }
      // A taken version, or (in AWS only) a concurrent transaction on the same item: re-decide.
      if (
        codes.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')
      ) {
        throw new VersionTakenError();
      }
      throw error;
    }
  }

  private async replay(aggregateId: string): Promise<StreamHead> {
    let state = initialState;
    let version = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.events,
          KeyConditionExpression: 'AggregateID = :id',
          ExpressionAttributeValues: { ':id': aggregateId },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      const events = (page.Items ?? []).map(fromEventItem);
      state = fold(events, state);
      version = events.at(-1)?.version ?? version;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return { version, state };
  }
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
