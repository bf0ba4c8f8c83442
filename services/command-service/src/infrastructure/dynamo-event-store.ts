import { randomUUID } from 'node:crypto';
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
  type NewDataKey,
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
  type EventStore,
  type HeadNeeds,
  IdempotencyKeyTakenError,
  type IdempotencyRecord,
  type StreamHead,
  TooLateToWrite,
  VersionTakenError,
  WRITE_AND_LOOKUP_MS,
  WriteOutcomeUnknown,
} from '../application/ports';
import { fold, initialState, type UserState } from '../domain/user';
import { type PendingErasureWrite, pendingErasureWrite } from './dynamo-pending-erasures';

export type EventStoreTables = {
  events: string;
  idempotency: string;
  /** Where each erasure's receipt starts, in the erasure's own transaction. */
  erasureReceipts: string;
  /** The pending erasures, each row put or deleted in its event's own transaction. */
  pendingErasures: string;
};

/** The data keys, how to make one inside a first event's transaction, and how to shred one. */
export type SealingDataKeys = DataKeys & {
  existing(userId: string): Promise<Buffer | undefined>;
  generate(userId: string): Promise<NewDataKey>;
  remember(userId: string, key: Buffer): void;
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

/** A key stored before this user's first event (by a release that stored keys first). */
class DataKeyTakenError extends Error {}

/**
 * Extra items of an event's transaction: a new key's storage, an erasure's shredding and receipt,
 * the user's row of the pending erasures. Only a new key's storage has a condition of its own.
 */
type ExtraWrite =
  | { Put: { TableName: string; Item: Record<string, unknown> } }
  | PendingErasureWrite;

/**
 * How long a write whose outcome was lost is looked for when no deadline is given: consistent
 * reads of its own item, each retried by the SDK too, pausing 100 ms, 200 ms, ... up to 1 s in
 * between (a table throttled for a second must not turn a stored command into "try again").
 */
const LOOKUP_MS = 3000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoEventStore implements EventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: EventStoreTables,
    private readonly keys: SealingDataKeys,
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

  async appendEvents({ events, idempotency, carried, deadline }: AppendRequest): Promise<void> {
    const lookUntil = deadline ?? Date.now() + WRITE_AND_LOOKUP_MS + LOOKUP_MS;
    const [first] = events;
    const userId = first?.event.userId as string;
    const erasure = events.some(({ event }) => event.type === 'USER_ERASED');
    const encoded = (key: Buffer | undefined) =>
      events.map(({ event, stateAfter }) =>
        encodeEvent(event, { state: stateAfter, stateVersion: SNAPSHOT_VERSION, carried }, key),
      );
    // A request, a cancellation or an erasure changes the pending erasures, in its own transaction:
    // a request acknowledged is one the sweep finds, and a failed write stores neither.
    const pending = pendingErasureWrite(
      this.tables.pendingErasures,
      events.map(({ event }) => event),
    );
    const pendingWrites = pending ? [pending] : [];
    // An erasure holds no personal data, and must not bring the user's key back; a command that
    // changes no personal field carries the sealed ones forward and needs no key either.
    const needsKey =
      !erasure && events.some(({ event, stateAfter }) => needsDataKey(event, stateAfter, carried));
    if (needsKey) {
      const firstEvent = first?.event.version === 1;
      await this.appendSealed(userId, firstEvent, encoded, idempotency, pendingWrites, lookUntil);
      return;
    }
    const erasureEvent = events.find(({ event }) => event.type === 'USER_ERASED')?.event;
    const shredding = erasureEvent
      ? [this.keys.shreddingOf(userId), this.receiptOf(erasureEvent)]
      : [];
    await this.write(encoded(undefined), idempotency, [...shredding, ...pendingWrites], lookUntil);
    if (erasure) this.keys.forget(userId);
  }

  /**
   * The erasure's receipt as it starts: the event stored and the key shredded, both now (one
   * transaction), the read models' steps to be filled in by the query side, the publication by
   * the publisher (GET /erasures/{user_id}). Nothing personal: ids, versions and times.
   */
  private receiptOf(erasure: RecordedEvent): ExtraWrite {
    return {
      Put: {
        TableName: this.tables.erasureReceipts,
        Item: {
          UserID: erasure.userId,
          ErasedAt: erasure.occurredAt,
          Version: erasure.version,
          EventId: erasure.eventId,
          KeyShreddedAt: erasure.occurredAt,
          DetailHiddenAt: {},
          HistoryRewrittenAt: {},
        },
      },
    };
  }

  /**
   * Events that seal personal fields, under the user's key. A user without one yet (the first
   * event, or a user stored before personal data was sealed) gets a new one, stored in the
   * events' own transaction: a command that is refused or fails stores no key. A key made
   * meanwhile by another request is used instead.
   */
  private async appendSealed(
    userId: string,
    firstEvent: boolean,
    encoded: (key: Buffer | undefined) => EventItem[],
    idempotency: IdempotencyRecord | undefined,
    extraWrites: ExtraWrite[],
    lookUntil: number,
  ) {
    // A user's first event almost never finds a key: it is made without looking first.
    const existing = firstEvent ? undefined : await this.existingKey(userId);
    if (existing) {
      await this.write(encoded(existing), idempotency, extraWrites, lookUntil);
      return;
    }
    const fresh = await this.keys.generate(userId);
    try {
      await this.write(encoded(fresh.key), idempotency, [fresh.storage, ...extraWrites], lookUntil);
      this.keys.remember(userId, fresh.key);
    } catch (error) {
      if (!(error instanceof DataKeyTakenError)) throw error;
      const made = await this.existingKey(userId);
      // Taken, then gone: only an erasure's tombstone does that, and existingKey says so.
      if (!made) throw new VersionTakenError();
      await this.write(encoded(made), idempotency, extraWrites, lookUntil);
    }
  }

  /**
   * The user's key, or undefined when the user has none yet. Erased since this command read its
   * state, or being erased now (the key's row is held by the erasure's transaction, AWS only):
   * the command lost the race and is decided again.
   */
  private async existingKey(userId: string) {
    try {
      return await this.keys.existing(userId);
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
      outcome: Item.Outcome,
      recordedAt: Item.RecordedAt,
      expiresAt: Item.ExpiresAt,
    };
  }

  async recordOutcome(record: IdempotencyRecord): Promise<void> {
    // Tells our own record from a twin's: the SDK retries a put whose response was lost, and the
    // retry then meets the record it wrote.
    const writeId = randomUUID();
    const put = this.idempotencyPut(record);
    try {
      await this.client.send(
        new PutCommand({
          ...put,
          Item: { ...put.Item, WriteId: writeId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException && error.Item?.WriteId?.S === writeId) {
        return;
      }
      // Taken, or (AWS only) locked by a twin's transaction in flight: the key's owner answers.
      if (
        error instanceof ConditionalCheckFailedException ||
        error instanceof TransactionConflictException
      ) {
        throw new IdempotencyKeyTakenError();
      }
      throw error;
    }
  }

  /** One event alone is one conditional put; anything more is one transaction. */
  private async write(
    eventItems: EventItem[],
    idempotency: IdempotencyRecord | undefined,
    extraWrites: ExtraWrite[],
    lookUntil: number,
  ) {
    // A write and the lookup of its outcome must both end before the answer is due: with too
    // little time left, nothing is written and the caller is told to try again.
    if (lookUntil - Date.now() < WRITE_AND_LOOKUP_MS) throw new TooLateToWrite();
    const [single] = eventItems;
    if (single && eventItems.length === 1 && !idempotency && extraWrites.length === 0) {
      await this.putEvent(single, lookUntil);
    } else {
      await this.transact(eventItems, idempotency, extraWrites, lookUntil);
    }
  }

  private async putEvent(item: EventItem, lookUntil: number) {
    try {
      await this.client.send(new PutCommand(this.eventPut(item)));
    } catch (error) {
      // The SDK retries a put whose response was lost; the retry then meets our own item.
      if (error instanceof ConditionalCheckFailedException && isOurs(error.Item, item)) return;
      if (error instanceof ConditionalCheckFailedException) throw new VersionTakenError();
      if (await this.writtenAfterAll(item, error, lookUntil)) return;
      // Locked by another writer's transaction (AWS only), and not ours: a lost race.
      if (error instanceof TransactionConflictException) throw new VersionTakenError();
      throw error;
    }
  }

  /**
   * Whether our event is stored although its write failed (an answer lost or stalled, then
   * throttling or 500s past the SDK's retries, or a conflict with our own first attempt); throws
   * `error` when no consistent read can tell. A client told "try again" must never find its
   * command stored: a retry without an Idempotency-Key would store it twice.
   */
  private async writtenAfterAll(item: EventItem | undefined, error: unknown, until: number) {
    // DynamoDB refused the request itself (e.g. an item too large): nothing was written.
    if (!item || (error as Error).name === 'ValidationException') return false;
    // Our transaction may still commit: not finding it proves nothing.
    const stillRunning = (error as Error).name === 'TransactionInProgressException';
    for (let lookup = 0; lookup === 0 || Date.now() < until; lookup++) {
      if (lookup > 0) await pause(Math.min(1000, 100 * 2 ** (lookup - 1), until - Date.now()));
      if (Date.now() >= until) break;
      const found = await this.holdsOurEvent(item, until).catch(() => undefined);
      if (found === true || (found === false && !stillRunning)) return found;
    }
    throw new WriteOutcomeUnknown(error);
  }

  /** A consistent read of our event's position, given up at `until` (the answer is due). */
  private async holdsOurEvent(item: EventItem, until = Number.POSITIVE_INFINITY) {
    const controller = new AbortController();
    const timer = Number.isFinite(until)
      ? setTimeout(() => controller.abort(), Math.max(0, until - Date.now()))
      : undefined;
    try {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tables.events,
          Key: { AggregateID: item.AggregateID, Sequence: item.Sequence },
          ProjectionExpression: 'EventId',
          ConsistentRead: true,
        }),
        { abortSignal: controller.signal },
      );
      return Item?.EventId === item.EventId;
    } finally {
      clearTimeout(timer);
    }
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
    extraWrites: ExtraWrite[],
    lookUntil: number,
  ) {
    const puts = eventItems.map((item) => ({ Put: this.eventPut(item) }));
    const keyRecord = idempotency ? [{ Put: this.idempotencyPut(idempotency) }] : [];
    try {
      // The SDK gives the transaction a ClientRequestToken: its retries are idempotent.
      await this.client.send(
        new TransactWriteCommand({ TransactItems: [...puts, ...keyRecord, ...extraWrites] }),
      );
    } catch (error) {
      const reasons =
        error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      if (isOurs(reasons[0]?.Item, eventItems[0])) return;
      const failed = (from: number, count: number) =>
        reasons
          .slice(from, from + count)
          .some((reason) => reason.Code === 'ConditionalCheckFailed');
      if (failed(0, puts.length)) throw new VersionTakenError();
      if (failed(puts.length, keyRecord.length)) throw new IdempotencyKeyTakenError();
      // Of the extra writes only a new key's storage has a condition.
      if (failed(puts.length + keyRecord.length, extraWrites.length)) throw new DataKeyTakenError();
      if (await this.writtenAfterAll(eventItems[0], error, lookUntil)) return;
      // A concurrent transaction on one of the items (AWS only), and not ours: a lost race.
      if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
        throw new VersionTakenError();
      }
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

/** The item a failed condition found (raw attribute values) is the one we meant to write. */
const isOurs = (found: Record<string, AttributeValue> | undefined, ours: EventItem | undefined) =>
  found?.EventId?.S !== undefined && found.EventId.S === ours?.EventId;
