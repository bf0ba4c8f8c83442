import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isSealed } from '@users/shared';
import type { AuditOutcome } from '../../services/query-service/src/application/ports';
import { ALL_TABLES, stageTableNames } from '../local-stack/tables';

/** The fields that hold personal data, wherever they sit (payloads, snapshots, read models). */
const PERSONAL_FIELD = /^(name|email)$/i;
/** The attributes that say whose an item is (the idempotency table's outcome nests `userId`). */
const OWNER_KEYS = new Set(['UserID', 'AggregateID', 'userId', 'user_id']);
const SEGMENTS = 4;

type Item = Record<string, unknown>;

export type Readable = {
  table: string;
  /** Where in the item: `Payload.name`, `DetailAfter.Email`, ... */
  field: string;
  why: 'in the clear' | 'sealed under a key that still exists' | 'the data key was not shredded';
  /** How many items hold it so. */
  items: number;
};

export type TableAudit = { table: string; read: 'query' | 'scan'; itemsOfUser: number };

export type ErasureAudit = {
  userId: string;
  stage: string;
  auditedAt: string;
  /** The user's data key is a tombstone rather than a wrapped key. */
  keyShredded: boolean;
  /** The event store holds the user's USER_ERASED. */
  erasureStored: boolean;
  /** Steps of the erasure still under way (a history rewrite, a version's mark). */
  unfinished: { table: string; what: string }[];
  tables: TableAudit[];
  readable: Readable[];
  verdict: 'nothing readable' | 'readable' | 'erasure unfinished' | 'not erased';
};

/** Whether the item is the user's: an owner attribute, at any depth, holds exactly their id. */
const ownedBy = (value: unknown, userId: string): boolean => {
  if (Array.isArray(value)) return value.some((v) => ownedBy(v, userId));
  if (!value || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([key, inner]) => (OWNER_KEYS.has(key) && inner === userId) || ownedBy(inner, userId),
  );
};

/** JSON text attributes (an event's Payload) are looked into as what they hold. */
const opened = (value: unknown) => {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

/** Every personal field of an item with a value: its path (array positions as []) and value. */
const personalFields = (value: unknown, path: string[] = []): [string[], unknown][] => {
  const here = opened(value);
  if (!here || typeof here !== 'object') return [];
  return Object.entries(here).flatMap(([name, inner]) => {
    const at = [...path, Array.isArray(here) ? '[]' : name];
    // Text only: StateSealedAt.name is the version that sealed the name, not the name.
    if (PERSONAL_FIELD.test(name) && typeof inner === 'string' && inner !== '') {
      return [[at, inner] as [string[], unknown]];
    }
    return personalFields(inner, at);
  });
};

/** Only an event item of schema 2 on, in its Payload or State, holds sealed values. */
const mayBeSealed = (isEventsTable: boolean, item: Item, path: string[]) =>
  isEventsTable &&
  Number(item.SchemaVersion) >= 2 &&
  (path[0] === 'Payload' || path[0] === 'State');

const existingTables = async (client: DynamoDBDocumentClient) => {
  const tables: string[] = [];
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    tables.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  return tables;
};

/** The stage's tables by their exact names, each projection version's detail and history too. */
const tablesOfStage = async (client: DynamoDBDocumentClient, stage: string) => {
  const names = stageTableNames(stage, ALL_TABLES);
  const versioned = new RegExp(`^(${names.UserDetailTable}|${names.UserHistoryTable})-v\\d+$`);
  const exact = new Set(Object.values(names));
  return {
    names,
    tables: (await existingTables(client)).filter((t) => exact.has(t) || versioned.test(t)).sort(),
  };
};

/** The user's items of a table: a Query where the user is the partition key, else a Scan. */
const itemsOfUser = async (client: DynamoDBDocumentClient, table: string, userId: string) => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const hash = Table?.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName ?? '';
  const found: Item[] = [];
  if (hash === 'UserID' || hash === 'AggregateID') {
    const pages = paginateQuery(
      { client },
      {
        TableName: table,
        KeyConditionExpression: '#owner = :id',
        ExpressionAttributeNames: { '#owner': hash },
        ExpressionAttributeValues: { ':id': userId },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) found.push(...(page.Items ?? []));
    return { read: 'query' as const, found };
  }
  await Promise.all(
    Array.from({ length: SEGMENTS }, async (_, segment) => {
      const pages = paginateScan(
        { client },
        { TableName: table, Segment: segment, TotalSegments: SEGMENTS, ConsistentRead: true },
      );
      for await (const page of pages) {
        found.push(...(page.Items ?? []).filter((item) => ownedBy(item, userId)));
      }
    }),
  );
  return { read: 'scan' as const, found };
};

/**
 * Reads every table of the stage (each projection version's too) for anything of the user that
 * can still be read: a personal field in the clear, or sealed under a data key that was not
 * shredded; and for any step of the erasure still under way. Read-only, consistent reads.
 * "nothing readable" only for a user whose erasure is stored, key shredded, every step done.
 */
export const auditErasure = async (
  client: DynamoDBDocumentClient,
  { stage, userId }: { stage: string; userId: string },
  now: () => Date = () => new Date(),
): Promise<ErasureAudit> => {
  const { names, tables: stageTables } = await tablesOfStage(client, stage);
  const { Item: key } = await client.send(
    new GetCommand({
      TableName: names.DataKeysTable,
      Key: { UserID: userId },
      ConsistentRead: true,
    }),
  );
  const keyReadable = Boolean(key && !key.Erased && key.WrappedKey);
  const tables: TableAudit[] = [];
  const readable: Readable[] = [];
  const unfinished: ErasureAudit['unfinished'] = [];
  let erasureStored = false;
  const found = (table: string, field: string, why: Readable['why']) => {
    const known = readable.find((r) => r.table === table && r.field === field && r.why === why);
    if (known) known.items++;
    else readable.push({ table, field, why, items: 1 });
  };
  const isDetail = new RegExp(`^${names.UserDetailTable}(-v\\d+)?$`);
  for (const table of stageTables) {
    const { read, found: items } = await itemsOfUser(client, table, userId);
    tables.push({ table, read, itemsOfUser: items.length });
    const isEvents = table === names.EventsTable;
    for (const item of items) {
      if (isEvents && item.EventType === 'USER_ERASED') erasureStored = true;
      if (isDetail.test(table) && item.HistoryErasure !== undefined) {
        unfinished.push({ table, what: 'the history rewrite is under way' });
      }
      if (table === names.ProjectionsTable) {
        unfinished.push({ table, what: `version ${item.Version} has not applied the erasure yet` });
      }
      for (const [path, value] of personalFields(item)) {
        const sealed = mayBeSealed(isEvents, item, path) && isSealed(value);
        if (!sealed) found(table, path.join('.'), 'in the clear');
        else if (keyReadable) found(table, path.join('.'), 'sealed under a key that still exists');
      }
    }
  }
  if (keyReadable) found(names.DataKeysTable, 'WrappedKey', 'the data key was not shredded');
  const keyShredded = Boolean(key?.Erased);
  const verdict: ErasureAudit['verdict'] =
    readable.length > 0
      ? 'readable'
      : !keyShredded || !erasureStored
        ? 'not erased'
        : unfinished.length > 0
          ? 'erasure unfinished'
          : 'nothing readable';
  return {
    userId,
    stage,
    auditedAt: now().toISOString(),
    keyShredded,
    erasureStored,
    unfinished,
    tables,
    readable,
    verdict,
  };
};

/** The audit's verdict in the receipt's words (AUDIT_OUTCOMES of the query service). */
const receiptOutcome = ({ verdict }: ErasureAudit): AuditOutcome =>
  verdict === 'nothing readable' || verdict === 'readable' ? verdict : 'not erased or under way';

/**
 * Notes the audit's outcome on the user's erasure receipt (GET /erasures/{user_id} shows it).
 * Only where the erasure left a receipt: false when there is none (not erased, or erased before
 * receipts existed).
 */
export const recordAudit = async (
  client: DynamoDBDocumentClient,
  audit: ErasureAudit,
): Promise<boolean> => {
  const { ErasureReceiptsTable } = stageTableNames(audit.stage, ['ErasureReceiptsTable']);
  try {
    await client.send(
      new UpdateCommand({
        TableName: ErasureReceiptsTable,
        Key: { UserID: audit.userId },
        UpdateExpression: 'SET AuditedAt = :at, AuditOutcome = :outcome',
        ConditionExpression: 'attribute_exists(UserID)',
        ExpressionAttributeValues: { ':at': audit.auditedAt, ':outcome': receiptOutcome(audit) },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
