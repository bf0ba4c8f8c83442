import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { isSealed } from '@users/shared';

/** The fields that hold personal data, wherever they sit (payloads, snapshots, read models). */
const PERSONAL_FIELD = /^(name|email)$/i;
const SEGMENTS = 4;

export type Readable = {
  table: string;
  /** Where in the item: `Payload.name`, `DetailAfter.Email`, ... */
  field: string;
  why: 'in the clear' | 'sealed under a key that still exists' | 'the data key was not shredded';
  /** How many items hold it so. */
  items: number;
};

export type TableAudit = { table: string; items: number; itemsOfUser: number };

export type ErasureAudit = {
  userId: string;
  stage: string;
  auditedAt: string;
  /** The user's data key is a tombstone (shredded) rather than a wrapped key. */
  keyShredded: boolean;
  tables: TableAudit[];
  readable: Readable[];
};

/** Whether `value` holds the user's id anywhere, as an attribute's whole value. */
const mentions = (value: unknown, userId: string): boolean => {
  if (value === userId) return true;
  if (Array.isArray(value)) return value.some((v) => mentions(v, userId));
  if (value && typeof value === 'object') {
    return Object.values(value).some((v) => mentions(v, userId));
  }
  return false;
};

/** JSON text attributes (an event's Payload) are looked into as the objects they hold. */
const opened = (value: unknown) => {
  if (typeof value !== 'string' || !value.startsWith('{')) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

/** Every personal field of an item with a value: its path and the value. */
const personalFields = (value: unknown, path: string[] = []): [string, unknown][] => {
  const here = opened(value);
  if (!here || typeof here !== 'object') return [];
  return Object.entries(here).flatMap(([name, inner]) => {
    const at = [...path, name];
    if (PERSONAL_FIELD.test(name) && typeof inner === 'string' && inner !== '') {
      return [[at.join('.'), inner] as [string, unknown]];
    }
    return personalFields(inner, at);
  });
};

const tablesOfStage = async (client: DynamoDBDocumentClient, stage: string) => {
  const prefix = `users-${stage}-`;
  const tables: string[] = [];
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    tables.push(...(page.TableNames ?? []).filter((name) => name.startsWith(prefix)));
    start = page.LastEvaluatedTableName;
  } while (start);
  return tables.sort();
};

const scanForUser = async (client: DynamoDBDocumentClient, table: string, userId: string) => {
  let items = 0;
  const ofUser: Record<string, unknown>[] = [];
  await Promise.all(
    Array.from({ length: SEGMENTS }, async (_, segment) => {
      const pages = paginateScan(
        { client },
        { TableName: table, Segment: segment, TotalSegments: SEGMENTS, ConsistentRead: true },
      );
      for await (const page of pages) {
        items += page.Items?.length ?? 0;
        ofUser.push(...(page.Items ?? []).filter((item) => mentions(item, userId)));
      }
    }),
  );
  return { items, ofUser };
};

/**
 * Scans every table of the stage (each projection version's too: they share the prefix) for
 * anything of the user that can still be read: a personal field in the clear, or sealed under a
 * data key that was not shredded. Read-only; consistent reads. An erasure that finished
 * everywhere leaves nothing readable (docs/personal-data.md).
 */
export const auditErasure = async (
  client: DynamoDBDocumentClient,
  { stage, userId, dataKeysTable }: { stage: string; userId: string; dataKeysTable: string },
  now: () => Date = () => new Date(),
): Promise<ErasureAudit> => {
  const { Item: key } = await client.send(
    new GetCommand({ TableName: dataKeysTable, Key: { UserID: userId }, ConsistentRead: true }),
  );
  const keyReadable = Boolean(key && !key.Erased && key.WrappedKey);
  const tables: TableAudit[] = [];
  const readable: Readable[] = [];
  const found = (table: string, field: string, why: Readable['why']) => {
    // A field path without the position of an array element: one line per kind of place.
    const place = field.replace(/\.\d+(?=\.|$)/g, '[]');
    const known = readable.find((r) => r.table === table && r.field === place && r.why === why);
    if (known) known.items++;
    else readable.push({ table, field: place, why, items: 1 });
  };
  for (const table of await tablesOfStage(client, stage)) {
    const { items, ofUser } = await scanForUser(client, table, userId);
    tables.push({ table, items, itemsOfUser: ofUser.length });
    for (const item of ofUser) {
      for (const [field, value] of personalFields(item)) {
        if (!isSealed(value)) found(table, field, 'in the clear');
        else if (keyReadable) found(table, field, 'sealed under a key that still exists');
      }
    }
  }
  if (keyReadable) found(dataKeysTable, 'WrappedKey', 'the data key was not shredded');
  return {
    userId,
    stage,
    auditedAt: now().toISOString(),
    keyShredded: Boolean(key?.Erased),
    tables,
    readable,
  };
};
