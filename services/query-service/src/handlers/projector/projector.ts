import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type DataKeys,
  type DecodedEvent,
  decodeEvent,
  eventPosition,
  isUnknownEvent,
  logger,
} from '@users/shared';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { applyEvents } from '../../application/apply-events';
import type { ReadModelStore, StoredEvent, UserEventReader } from '../../application/ports';

type Position = ReturnType<typeof eventPosition>;
type Received = {
  record: DynamoDBRecord;
  position: Position;
  occurredAt: string;
  correlationId: string;
};

/** Told after each batch what it did, for the function's metrics and trace. */
export type ProjectorObserver = {
  /** The batch's events: those the read models have reached now, and whether any failed. */
  projected: (batch: { applied: Received[]; received: Received[]; failed: number }) => void;
};

/** Events are immutable: only inserts carry news. */
const insertsByUser = (records: DynamoDBRecord[]) => {
  const byUser = new Map<string, Received[]>();
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    const position = eventPosition(item);
    const received = byUser.get(position.userId) ?? [];
    received.push({
      record,
      position,
      occurredAt: String(item.OccurredAt),
      correlationId: String(item.CorrelationId),
    });
    byUser.set(position.userId, received);
  }
  return byUser;
};

type Keys = Pick<DataKeys, 'read' | 'forget'>;

/**
 * The user's events that can be read, and where the first that cannot is (an event of a newer
 * schema, or one whose key cannot be had): the versions after it wait for it (applyEvents stops
 * at the gap it leaves), but an erasure among them hides the user at once.
 */
const decodeUserEvents = async (keys: Keys, userId: string, received: Received[]) => {
  const decoded: DecodedEvent[] = [];
  let unreadableFrom = Number.POSITIVE_INFINITY;
  for (const { record, position } of received) {
    try {
      const image = record.dynamodb?.NewImage as Record<string, AttributeValue>;
      decoded.push(await decodeEvent(unmarshall(image), keys));
    } catch (error) {
      logger.error('event not projected; it will be retried', { ...position, error });
      unreadableFrom = Math.min(unreadableFrom, position.version);
    }
  }
  for (const event of decoded) {
    if (isUnknownEvent(event)) {
      logger.warn('skipping an event of an unknown type', {
        userId,
        version: event.version,
        type: event.type,
      });
    } else if (event.type === 'USER_ERASED') keys.forget(userId);
  }
  return { events: decoded, unreadableFrom };
};

/** The user's first record in the batch that its read models have not reached, if any. */
const firstPending = (
  received: Received[],
  outcome: number | Error | undefined,
  unreadableFrom: number,
) => {
  if (outcome === undefined || outcome instanceof Error) {
    logger.error('events not projected; they will be retried', {
      userId: received[0]?.position.userId,
      error: outcome,
    });
    return received[0]?.record;
  }
  const pending = received.find(({ position }) => position.version > outcome);
  if (pending && pending.position.version < unreadableFrom) {
    logger.warn('event arrived before an earlier one; it will be retried', pending.position);
  }
  return pending?.record;
};

/** Stored events of a user that can be read, up to the first that cannot. */
const decodeStored = async (keys: Keys, items: StoredEvent[]) => {
  const decoded: DecodedEvent[] = [];
  for (const item of items) {
    try {
      const event = await decodeEvent(item, keys);
      if (!isUnknownEvent(event) && event.type === 'USER_ERASED') keys.forget(event.userId);
      decoded.push(event);
    } catch (error) {
      logger.error('stored event not projected; it will be retried', {
        ...eventPosition(item),
        error,
      });
      break;
    }
  }
  return decoded;
};

/** Events a catch-up reads at most: one Query page, well within an invocation. */
const CATCH_UP_EVENTS = 1000;

/** Time kept back from the function's timeout for the last writes and the answer. */
const SAFETY_MS = 2000;

/**
 * A stream handler over any ReadModelStore. A batch's events are grouped per user and applied
 * together (applyEvents): one read of the users' details, their history written in batches, one
 * conditional write per user. A failure is reported (ReportBatchItemFailures) at a user's first
 * event not applied; Lambda then delivers again from the earliest one reported, and whatever was
 * applied already is skipped by version. Powertools' BatchProcessor reports record by record and
 * cannot express "this user's events from here on", so the response is built here.
 */
export const createProjector =
  (
    store: ReadModelStore,
    keys: Keys,
    events?: UserEventReader,
    observer?: ProjectorObserver,
    {
      gapsLeftToBuild = false,
    }: {
      /**
       * A version being built: a user it has not reached, or reached before a gap, is its build's
       * to write (the build catches every such user up when its replay ends), not a failure.
       */
      gapsLeftToBuild?: boolean;
    } = {},
  ) =>
  async (
    event: DynamoDBStreamEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<DynamoDBBatchResponse> => {
    const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? 10_000) - SAFETY_MS;
    const byUser = [...insertsByUser(event.Records)];
    const decoded = await Promise.all(
      byUser.map(([userId, received]) => decodeUserEvents(keys, userId, received)),
    );
    const catchUp =
      events &&
      (async (userId: string, fromVersion: number) => {
        logger.info('catching up a user from the event store', { userId, fromVersion });
        return decodeStored(keys, await events.eventsOf(userId, fromVersion, CATCH_UP_EVENTS));
      });
    let outcomes: Map<string, number | Error>;
    try {
      outcomes = await applyEvents(
        store,
        new Map(byUser.map(([userId], i) => [userId, decoded[i]?.events ?? []])),
        { deadline, catchUp },
      );
    } catch (error) {
      outcomes = new Map(byUser.map(([userId]) => [userId, error as Error]));
    }
    const failed = byUser.map(([userId, received], i) => {
      const outcome = outcomes.get(userId);
      if (gapsLeftToBuild && typeof outcome === 'number') return undefined;
      return firstPending(received, outcome, decoded[i]?.unreadableFrom ?? 0);
    });
    observer?.projected({
      applied: byUser.flatMap(([userId, received]) => {
        const reached = outcomes.get(userId);
        return typeof reached === 'number'
          ? received.filter(({ position }) => position.version <= reached)
          : [];
      }),
      received: byUser.flatMap(([, received]) => received),
      failed: failed.filter((record) => record !== undefined).length,
    });
    return {
      batchItemFailures: failed
        .filter((record) => record !== undefined)
        .map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber as string })),
    };
  };
