import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  paginateScan,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { SCHEMA_VERSION } from '@users/shared';

export type ReconcileReport = {
  /** Event items read by the scan. */
  scanned: number;
  /** Users with an erasure request, cancellation or erasure among their events. */
  users: number;
  /** Of them, those whose newest such event is a request: pending. */
  pending: number;
  /** Rows written: missing, or with another due time. */
  put: number;
  /** Rows removed: the user's request was cancelled or carried out, or never made. */
  deleted: number;
  /** Users whose newest erasure event could not be read (no due time): left as they were. */
  undecided: string[];
  /** Users still changing, or their tables still busy, after every attempt: run the tool again. */
  contended: string[];
};

type Tables = { client: DynamoDBDocumentClient; eventsTable: string; pendingErasuresTable: string };

/** Users decided at once: each a partition of its own. */
const AT_ONCE = 16;
/** Tries per user when a command lands between the reads and the write, or a table is busy. */
const ATTEMPTS = 5;
/** A busy table or a transaction in flight on the same items: tried again after a pause. */
const BUSY = ['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict'];
/** The same of a whole request, once the SDK's own retries are spent. */
const THROTTLED = [
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why the transaction was cancelled: a command stored meanwhile, a busy table, or neither. */
const cancellation = (error: TransactionCanceledException) => {
  const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  if (codes[0] === 'ConditionalCheckFailed') return 'moved';
  if (codes.some((code) => BUSY.includes(code))) return 'busy';
  return undefined;
};

const erasureEventsOnly = {
  FilterExpression: 'EventType IN (:requested, :cancelled, :erased)',
  ExpressionAttributeValues: {
    ':requested': 'USER_ERASURE_REQUESTED',
    ':cancelled': 'USER_ERASURE_CANCELLED',
    ':erased': 'USER_ERASED',
  },
};

/** Written by a newer release: this code does not guess at it (as the event store does not). */
export class NewerSchemaError extends Error {
  override readonly name = 'NewerSchemaError';
}

type Row = { eraseAfter: string } | 'none' | 'undecided';

/** An item of a newer schema stops the run: a newer release's events may change what is pending. */
const checkSchema = (item: Record<string, unknown> | undefined) => {
  if (item && Number(item.SchemaVersion) > SCHEMA_VERSION) {
    throw new NewerSchemaError(
      `an event of schema ${item.SchemaVersion} (this code knows up to ${SCHEMA_VERSION}): run the newer release's tool`,
    );
  }
};

/** What the user's row must say, from their newest erasure event (none: no row). */
const rowFor = (item: Record<string, unknown> | undefined): Row => {
  if (!item) return 'none';
  checkSchema(item);
  if (item.EventType !== 'USER_ERASURE_REQUESTED') return 'none';
  try {
    const payload = typeof item.Payload === 'string' ? JSON.parse(item.Payload) : item.Payload;
    const eraseAfter = (payload as { erase_after?: unknown } | undefined)?.erase_after;
    return typeof eraseAfter === 'string' && Number.isFinite(Date.parse(eraseAfter))
      ? { eraseAfter }
      : 'undecided';
  } catch {
    return 'undecided';
  }
};

/**
 * One user's row made to match their events. Read consistently: the head's version first, then
 * the newest erasure event, then the row; written in one transaction with a check that no event
 * followed the head. A command stored meanwhile (its row is written in its event's transaction)
 * cancels the write, and the user is read again: the tool never undoes a command's row. A busy
 * table (a read or the transaction refused past the SDK's retries, or an item of the transaction
 * throttled) is tried again after a pause.
 */
const reconcileUser = async (tables: Tables, userId: string, report: ReconcileReport) => {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const outcome = await reconcileOnce(tables, userId, report).catch((error: unknown) => {
      if (error instanceof Error && THROTTLED.includes(error.name)) return 'busy' as const;
      throw error;
    });
    if (outcome === 'done') return;
    // Moved: decided again at once on the events as they are now. Busy: after a pause.
    if (outcome === 'busy') await pause(100 * 2 ** attempt * Math.random());
  }
  report.contended.push(userId);
};

/** One attempt at a user: done (written, or nothing to write), or cancelled (moved, busy). */
const reconcileOnce = async (
  tables: Tables,
  userId: string,
  report: ReconcileReport,
): Promise<'done' | 'moved' | 'busy'> => {
  const { client, eventsTable, pendingErasuresTable } = tables;
  const { Items: [head] = [] } = await client.send(
    new QueryCommand({
      TableName: eventsTable,
      KeyConditionExpression: 'AggregateID = :id',
      ExpressionAttributeValues: { ':id': userId },
      ProjectionExpression: '#sequence, SchemaVersion',
      ExpressionAttributeNames: { '#sequence': 'Sequence' },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  checkSchema(head);
  let newest: Record<string, unknown> | undefined;
  for await (const page of paginateQuery(
    { client, pageSize: 10 },
    {
      TableName: eventsTable,
      KeyConditionExpression: 'AggregateID = :id',
      ...erasureEventsOnly,
      ExpressionAttributeValues: {
        ...erasureEventsOnly.ExpressionAttributeValues,
        ':id': userId,
      },
      ProjectionExpression: 'EventType, Payload, SchemaVersion',
      ScanIndexForward: false,
      ConsistentRead: true,
    },
  )) {
    newest = page.Items?.[0];
    if (newest) break;
  }
  const want = rowFor(newest);
  if (want === 'undecided') {
    report.undecided.push(userId);
    return 'done';
  }
  const { Item } = await client.send(
    new GetCommand({
      TableName: pendingErasuresTable,
      Key: { UserID: userId },
      ConsistentRead: true,
    }),
  );
  const seen = Item?.EraseAfter as string | undefined;
  if (want === 'none' ? seen === undefined : seen === want.eraseAfter) {
    if (want !== 'none') report.pending++;
    return 'done';
  }
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: eventsTable,
              Key: { AggregateID: userId, Sequence: Number(head?.Sequence ?? 0) + 1 },
              ConditionExpression: 'attribute_not_exists(AggregateID)',
            },
          },
          want === 'none'
            ? { Delete: { TableName: pendingErasuresTable, Key: { UserID: userId } } }
            : {
                Put: {
                  TableName: pendingErasuresTable,
                  Item: { UserID: userId, EraseAfter: want.eraseAfter },
                },
              },
        ],
      }),
    );
  } catch (error) {
    const why = error instanceof TransactionCanceledException ? cancellation(error) : undefined;
    if (!why) throw error;
    return why;
  }
  if (want === 'none') report.deleted++;
  else {
    report.pending++;
    report.put++;
  }
  return 'done';
};

/**
 * `npm run reconcile-pending-erasures`: makes `users-<stage>-pending-erasures` hold exactly the
 * erasure requests pending in the events (a row per user whose newest request, cancellation or
 * erasure is a request, with its due time), for a stage whose table missed writes: requests made
 * while a release from before the sweep ran (a rollback), or before the table existed.
 *
 * Scans the events once for the users with erasure events, reads the table's rows, then decides
 * each of those users (AT_ONCE at a time) on consistent reads, writing only what differs and only
 * if no command was stored for that user meanwhile (reconcileUser). Safe beside traffic and
 * idempotent: a second run changes nothing. Stops at an event of a newer schema (the head of a
 * user, or their newest erasure event), saying what it had written; a user whose request has no
 * readable due time is reported and left alone, and so is one still contended after every attempt.
 */
export const reconcilePendingErasures = async (
  tables: Tables,
  onProgress: (report: ReconcileReport) => void = () => {},
): Promise<ReconcileReport> => {
  const report: ReconcileReport = {
    scanned: 0,
    users: 0,
    pending: 0,
    put: 0,
    deleted: 0,
    undecided: [],
    contended: [],
  };
  const users = new Set<string>();
  for await (const page of paginateScan(
    { client: tables.client },
    { TableName: tables.eventsTable, ProjectionExpression: 'AggregateID', ...erasureEventsOnly },
  )) {
    report.scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) users.add(item.AggregateID as string);
    onProgress(report);
  }
  report.users = users.size;
  for await (const page of paginateScan(
    { client: tables.client },
    { TableName: tables.pendingErasuresTable, ProjectionExpression: 'UserID' },
  )) {
    for (const item of page.Items ?? []) users.add(item.UserID as string);
  }
  const queue = [...users];
  const workers = await Promise.allSettled(
    Array.from({ length: AT_ONCE }, async () => {
      for (let userId = queue.pop(); userId !== undefined; userId = queue.pop()) {
        await reconcileUser(tables, userId, report).catch((error: unknown) => {
          queue.length = 0; // the other workers finish their user and take no other
          throw error;
        });
      }
    }),
  );
  onProgress(report);
  const failed = workers.find((worker) => worker.status === 'rejected');
  if (failed) throw new ReconcileStopped(report, failed.reason);
  return report;
};

/** The run stopped at an error: what it had written by then is in `report`. */
export class ReconcileStopped extends Error {
  override readonly name = 'ReconcileStopped';

  constructor(
    readonly report: ReconcileReport,
    cause: unknown,
  ) {
    super(
      `${cause instanceof Error ? cause.message : String(cause)} (stopped after ${report.put} row(s) written and ${report.deleted} removed)`,
      { cause },
    );
  }
}
