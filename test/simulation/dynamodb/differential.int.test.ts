import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { stringify } from 'safe-stable-stringify';
import { type KeySchema, keyAttributesOf, type TableDefinition } from './definitions';
import { type Tables, tablesNamed } from './differential/items';
import { type Operation, operations } from './differential/operations';
import { simulatedClients } from './simulated-clients';

/**
 * The emulator against DynamoDB Local: random sequences of the project's kinds of requests,
 * each sent to both through the real SDK, every answer (output or error) compared, then the
 * tables. Strong reads only: DynamoDB Local has no replication lag.
 */

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 150);
const tables = tablesNamed(`${process.pid}`);
const local = new DynamoDBClient({
  region: 'us-east-1',
  endpoint: process.env.TEST_DYNAMODB_ENDPOINT,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

// biome-ignore lint/suspicious/noExplicitAny: one table of the SDK's commands, each with its input
const COMMANDS: Record<string, new (input: any) => any> = {
  GetItem: GetItemCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
  Query: QueryCommand,
  Scan: ScanCommand,
  BatchGetItem: BatchGetItemCommand,
  BatchWriteItem: BatchWriteItemCommand,
  TransactWriteItems: TransactWriteItemsCommand,
  TransactGetItems: TransactGetItemsCommand,
};

const keySchema = ({ hashKey, rangeKey }: KeySchema) => [
  { AttributeName: hashKey.name, KeyType: 'HASH' as const },
  ...(rangeKey ? [{ AttributeName: rangeKey.name, KeyType: 'RANGE' as const }] : []),
];

const createTableInput = (definition: TableDefinition) => {
  const attributes = new Map<string, string>();
  for (const schema of [definition, ...(definition.indexes ?? [])]) {
    for (const { name, type } of keyAttributesOf(schema)) attributes.set(name, type);
  }
  return {
    TableName: definition.name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType: AttributeType as 'S' | 'N' | 'B',
    })),
    KeySchema: keySchema(definition),
    ...(definition.indexes && {
      GlobalSecondaryIndexes: definition.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: keySchema(index),
        Projection: {
          ProjectionType: index.projection.type,
          NonKeyAttributes: index.projection.nonKeyAttributes,
        },
      })),
    }),
  };
};

const resetLocalTables = async ({ single, ranged }: Tables) => {
  const { TableNames = [] } = await local.send(new ListTablesCommand({}));
  for (const definition of [single, ranged]) {
    if (TableNames.includes(definition.name)) {
      await local.send(new DeleteTableCommand({ TableName: definition.name }));
    }
    await local.send(new CreateTableCommand(createTableInput(definition)));
  }
};

/** Sets come back in any order: compared sorted. Capacity is not emulated. */
const normalised = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(normalised);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '$metadata' && key !== 'ConsumedCapacity')
      .map(([key, inner]) => [
        key,
        ['SS', 'NS'].includes(key) ? [...(inner as string[])].sort() : normalised(inner),
      ]),
  );
};

/** Items in a fixed order whatever their attributes' order. */
const byJson = (a: unknown, b: unknown) =>
  (stringify(a) as string) < (stringify(b) as string) ? -1 : 1;

type Outcome = { output: unknown } | { error: { name: string; item?: unknown; reasons?: unknown } };

const outcome = async (run: () => Promise<unknown>): Promise<Outcome> => {
  try {
    return { output: normalised(await run()) };
  } catch (error) {
    const failure = error as {
      name: string;
      $metadata?: object;
      Item?: unknown;
      CancellationReasons?: { Code?: string; Item?: unknown }[];
    };
    if (!failure.$metadata) throw error;
    return {
      error: {
        name: failure.name,
        ...(failure.Item !== undefined && { item: normalised(failure.Item) }),
        ...(failure.CancellationReasons && {
          reasons: failure.CancellationReasons.map(({ Code, Item }) => normalised({ Code, Item })),
        }),
      },
    };
  }
};

const send = (client: DynamoDBClient, operation: string, input: object) =>
  client.send(new (COMMANDS[operation] as new (input: object) => never)(input));

type Page = {
  Items?: unknown[];
  Count?: number;
  ScannedCount?: number;
  LastEvaluatedKey?: Record<string, unknown>;
};

/** Every page to the end (every segment of a parallel Scan); unordered reads as a sorted set. */
const readAll = async (client: DynamoDBClient, { operation, input, read }: Operation) => {
  const segments = (input.TotalSegments as number | undefined) ?? 0;
  const pages: Page[] = [];
  for (let segment = 0; segment < Math.max(segments, 1); segment++) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = (await send(client, operation, {
        ...input,
        ...(segments > 0 && { Segment: segment }),
        ...(start && { ExclusiveStartKey: start }),
      })) as Page;
      pages.push(page);
      start = page.LastEvaluatedKey;
    } while (start);
  }
  if (read === 'pages') return pages.map(({ LastEvaluatedKey: _, ...page }) => page);
  return {
    Items: pages
      .flatMap((page) => page.Items ?? [])
      .map(normalised)
      .sort(byJson),
    Count: pages.reduce((sum, page) => sum + (page.Count ?? 0), 0),
    ScannedCount: pages.reduce((sum, page) => sum + (page.ScannedCount ?? 0), 0),
  };
};

const answer = (client: DynamoDBClient, operation: Operation) =>
  outcome(async () => {
    if (operation.operation === 'BatchGetItem') {
      const output = (await send(client, operation.operation, operation.input)) as {
        Responses: Record<string, unknown[]>;
      };
      return Object.values(output.Responses).map((items) => items.map(normalised).sort(byJson));
    }
    return operation.read
      ? readAll(client, operation)
      : send(client, operation.operation, operation.input);
  });

const contents = (client: DynamoDBClient) =>
  Promise.all(
    [tables.single, tables.ranged].map((table) =>
      readAll(client, {
        operation: 'Scan',
        input: { TableName: table.name, ConsistentRead: true },
        read: 'unordered',
      }),
    ),
  );

const tally = { runs: 0, operations: 0, errors: new Map<string, number>() };

afterAll(() => {
  console.info(
    `differential: ${tally.runs} sequences, ${tally.operations} operations agreed; errors both answered: ${JSON.stringify(Object.fromEntries(tally.errors))}`,
  );
});

test('the emulator answers as DynamoDB Local does', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(operations(tables), { minLength: 1, maxLength: 40, size: 'max' }),
      async (sequence) => {
        await resetLocalTables(tables);
        const { client: emulated } = simulatedClients([tables.single, tables.ranged], {
          maxAttempts: 1,
        });
        const errors: string[] = [];
        for (const [step, operation] of sequence.entries()) {
          const expected = await answer(local, operation);
          const actual = await answer(emulated, operation);
          expect({ step, operation: operation.operation, answer: actual }).toEqual({
            step,
            operation: operation.operation,
            answer: expected,
          });
          if ('error' in expected) errors.push(`${operation.operation} ${expected.error.name}`);
        }
        expect(await contents(emulated)).toEqual(await contents(local));
        tally.runs++;
        tally.operations += sequence.length;
        for (const name of errors) tally.errors.set(name, (tally.errors.get(name) ?? 0) + 1);
      },
    ),
    { numRuns: RUNS },
  );
}, 600_000);
