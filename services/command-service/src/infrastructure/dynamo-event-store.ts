import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type DataKeys,
  decodeEvent,
  decodeSnapshot,
  type EventItem,
  encodeEvent,
  isSealed,
  isUnknownEvent,
  NewerSchemaVersionError,
  needsDataKey,
  type RecordedEvent,
  SCHEMA_VERSION,
  sealedSnapshotFields,
  UserErasedError,
} from '@users/shared';
import {
  type AppendRequest,
  type CommandOutcome,
  type CommandResult,
  type EventStore,
  type HeadNeeds,
  IdempotencyKeyTakenError,
  type IdempotencyRecord,
  type StreamHead,
  VersionTakenError,
} from '../application/ports';
import { fold, initialState, type UserState } from '../domain/user';

export type EventStoreTables = { events: string; idempotency: string };

/** The data keys, and how to shred one inside the erasure's transaction. */
export type ErasableDataKeys = DataKeys & {
  shreddingOf(userId: string): { Put: { TableName: string; Item: Record<string, unknown> } };
};

/**
 * Each event item carries the user's state after it (`State`), so the newest item alone answers
 * "where is this user?" in one read, however long the history.
 * SNAPSHOT_VERSION is bumped whenever UserState changes shape, or the way it is stored: a head
 * written under a version this release cannot read is ignored and the state is rebuilt by folding
 * the user's whole history once. Version 2 may carry fields sealed at an earlier version
 * (StateSealedAt), which the release before it would try to open as its own, and fail: a
 * rollback (or that release, still running during a deploy) replays those users instead.
 */
export const SNAPSHOT_VERSION = 2;

/** Version 1 is version 2 with every sealed field sealed by the item itself. */
const READABLE_SNAPSHOT_VERSIONS = new Set([1, SNAPSHOT_VERSION]);

const versionIsFree = 'attribute_not_exists(AggregateID)';
const keyIsFreeOrExpired = 'attribute_not_exists(IdempotencyKey) OR ExpiresAt < :now';

export class DynamoEventStore implements EventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: EventStoreTables,
    private readonly keys: ErasableDataKeys,
  ) {}

  async readHead(userId: string, { personalData }: HeadNeeds): Promise<StreamHead> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.events,
        KeyConditionExpression: 'AggregateID = :id',
        ExpressionAttributeValues: { ':id': userId },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const head = Items?.[0];
    if (!head) return { version: 0, state: initialState };
    // Written by a newer release: deciding on a state this code may misread is refused (503).
    if (head.SchemaVersion > SCHEMA_VERSION) throw new NewerSchemaVersionError(head.SchemaVersion);
    if (!READABLE_SNAPSHOT_VERSIONS.has(head.StateVersion)) return this.replay(userId);
    const sealed = head.SchemaVersion >= 2 && Object.values(head.State ?? {}).some(isSealed);
    if (sealed && !personalData) {
      // The sealed text stands in the state unopened: decide never reads it for this command.
      return { version: head.Sequence, state: head.State, carried: sealedSnapshotFields(head) };
    }
    const { state } = decodeSnapshot(head, sealed ? await this.keys.read(userId) : undefined);
    return { version: head.Sequence, state: state as unknown as UserState };
  }

  async appendEvents({ events, idempotency, carried }: AppendRequest): Promise<void> {
    const [first] = events;
    const userId = first?.event.userId as string;
    const erasure = events.some(({ event }) => event.type === 'USER_ERASED');
    // An erasure holds no personal data, and must not bring the user's key back; a command that
    // changes no personal field carries the sealed ones forward and needs no key either.
    const needsKey =
      !erasure && events.some(({ event, stateAfter }) => needsDataKey(event, stateAfter, carried));
    const key = needsKey ? await this.keyToSeal(userId, first?.event.version === 1) : undefined;
    const eventItems = events.map(({ event, stateAfter }) =>
      encodeEvent(event, { state: stateAfter, stateVersion: SNAPSHOT_VERSION, carried }, key),
    );
    const [single] = eventItems;
    if (single && eventItems.length === 1 && !idempotency && !erasure) {
      await this.putEvent(single);
      return;
    }
    await this.transact(eventItems, idempotency, erasure ? [this.keys.shreddingOf(userId)] : []);
    if (erasure) this.keys.forget(userId);
  }

  /**
   * Erased since this command read its state, or being erased now (the key's row is held by the
   * erasure's transaction, AWS only): the command lost the race and is decided again.
   */
  private async keyToSeal(userId: string, firstEvent: boolean) {
    try {
      // A user's first event: no key can be there yet unless a lost race made one; make it at once.
      return await (firstEvent ? this.keys.createOrRead(userId) : this.keys.readOrCreate(userId));
    } catch (error) {
      if (error instanceof UserErasedError || error instanceof TransactionConflictException) {
        throw new VersionTakenError();
      }
      throw error;
    }
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
      outcome: Item.Outcome ?? outcomeOfPreviousRelease(Item.Result),
      hashOfBodyAsSent: Item.Outcome === undefined,
      recordedAt: Item.RecordedAt,
      expiresAt: Item.ExpiresAt,
    };
  }

  async recordOutcome(record: IdempotencyRecord): Promise<void> {
    const check = this.previousReleaseCheck(record);
    try {
      if (!check) await this.client.send(new PutCommand(this.idempotencyPut(record)));
      else {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: this.idempotencyPut(record) }, check],
          }),
        );
      }
    } catch (error) {
      // Taken, or (AWS only) locked by a twin's transaction in flight: the key's owner answers.
      const codes =
        error instanceof TransactionCanceledException
          ? (error.CancellationReasons ?? []).map((reason) => reason.Code)
          : [];
      if (
        error instanceof ConditionalCheckFailedException ||
        error instanceof TransactionConflictException ||
        codes.includes('ConditionalCheckFailed') ||
        codes.includes('TransactionConflict')
      ) {
        throw new IdempotencyKeyTakenError();
      }
      throw error;
    }
  }

  /**
   * Fails while the previous release's record of this very request is live under the unscoped
   * key: that record is the answer. A record of another request there is ignored.
   */
  private previousReleaseCheck({ previousRelease, recordedAt }: IdempotencyRecord) {
    if (!previousRelease) return undefined;
    const [thisRequest, asSent] = previousRelease.requestHashes;
    return {
      ConditionCheck: {
        TableName: this.tables.idempotency,
        Key: { IdempotencyKey: previousRelease.key },
        ConditionExpression: `${keyIsFreeOrExpired} OR (RequestHash <> :thisRequest AND RequestHash <> :asSent)`,
        ExpressionAttributeValues: {
          ':now': recordedAt,
          ':thisRequest': thisRequest,
          ':asSent': asSent,
        },
      },
    };
  }

  private async putEvent(item: EventItem) {
    try {
      await this.client.send(new PutCommand(this.eventPut(item)));
    } catch (error) {
      // The SDK retries a put whose response was lost; the retry then meets our own item.
      if (error instanceof ConditionalCheckFailedException && isOurs(error.Item, item)) return;
      if (error instanceof ConditionalCheckFailedException) throw new VersionTakenError();
      // Locked by another writer's transaction (AWS only). Our own earlier attempt, whose answer
      // was lost, may have written the item before that: look before calling it a lost race.
      if (error instanceof TransactionConflictException) {
        if (await this.holdsOurEvent(item)) return;
        throw new VersionTakenError();
      }
      throw error;
    }
  }

  private async holdsOurEvent(item: EventItem) {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.events,
        Key: { AggregateID: item.AggregateID, Sequence: item.Sequence },
        ProjectionExpression: 'EventId',
        ConsistentRead: true,
      }),
    );
    return Item?.EventId === item.EventId;
  }

  private eventPut(item: EventItem) {
    return {
      TableName: this.tables.events,
      Item: item,
      ConditionExpression: versionIsFree,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
  }

  private idempotencyPut({ key, requestHash, outcome, recordedAt, expiresAt }: IdempotencyRecord) {
    return {
      TableName: this.tables.idempotency,
      Item: {
        IdempotencyKey: key,
        RequestHash: requestHash,
        Outcome: outcome satisfies CommandOutcome,
        RecordedAt: recordedAt,
        ExpiresAt: expiresAt,
      },
      ConditionExpression: keyIsFreeOrExpired,
      ExpressionAttributeValues: { ':now': recordedAt },
    };
  }

  private async transact(
    eventItems: EventItem[],
    idempotency: IdempotencyRecord | undefined,
    keyShreddings: ReturnType<ErasableDataKeys['shreddingOf']>[],
  ) {
    const puts = eventItems.map((item) => ({ Put: this.eventPut(item) }));
    const previousRelease = idempotency && this.previousReleaseCheck(idempotency);
    const TransactItems = [
      ...puts,
      ...(idempotency ? [{ Put: this.idempotencyPut(idempotency) }] : []),
      ...(previousRelease ? [previousRelease] : []),
      ...keyShreddings,
    ];
    try {
      // The SDK gives the transaction a ClientRequestToken: its retries are idempotent.
      await this.client.send(new TransactWriteCommand({ TransactItems }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (isOurs(reasons[0]?.Item, eventItems[0])) return;
      const keyReasons = idempotency
        ? reasons.slice(puts.length, puts.length + (previousRelease ? 2 : 1))
        : [];
      if (keyReasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
        throw new IdempotencyKeyTakenError();
      }
      const codes = reasons.map((reason) => reason.Code);
      // A concurrent transaction on one of the items (AWS only), maybe after our own first
      // attempt went through with its answer lost: look before calling it a lost race.
      if (codes.includes('TransactionConflict')) {
        if (eventItems[0] && (await this.holdsOurEvent(eventItems[0]))) return;
        throw new VersionTakenError();
      }
      if (codes.includes('ConditionalCheckFailed')) throw new VersionTakenError();
      throw error;
    }
  }

  private async replay(userId: string): Promise<StreamHead> {
    let state = initialState;
    let version = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.events,
          KeyConditionExpression: 'AggregateID = :id',
          ExpressionAttributeValues: { ':id': userId },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      const events = await Promise.all(
        (page.Items ?? []).map(async (item) => {
          const event = await decodeEvent(item, this.keys);
          if (isUnknownEvent(event)) throw new Error(`${event.type} is unknown to this release`);
          return event as RecordedEvent;
        }),
      );
      state = fold(events, state);
      version = events.at(-1)?.version ?? version;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return { version, state };
  }
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Keys recorded by the release before 2026-11-29 hold only stored or unchanged answers, as
 * `Result`; they expire 24 hours after an upgrade, and are answered as they were until then.
 */
const outcomeOfPreviousRelease = (result: {
  aggregateId: string;
  eventType: CommandResult['eventType'];
  sequence: number;
  stored: boolean;
  eventId?: string;
  occurredAt?: string;
}): CommandOutcome => ({
  kind: result.stored ? 'stored' : 'unchanged',
  result: {
    userId: result.aggregateId,
    eventType: result.eventType,
    version: result.sequence,
    ...(result.eventId && { eventId: result.eventId, occurredAt: result.occurredAt }),
  },
});

/** The item a failed condition found (raw attribute values) is the one we meant to write. */
const isOurs = (found: Record<string, AttributeValue> | undefined, ours: EventItem | undefined) =>
  found?.EventId?.S !== undefined && found.EventId.S === ours?.EventId;
