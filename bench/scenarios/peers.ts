import { randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { KmsDataKeys } from '@users/shared';
import { createDocumentClient } from '@users/shared/dynamo';
import { LOCAL_KMS_KEY_ID } from '../../scripts/local-stack/local-kms';
import { createTables } from '../../scripts/local-stack/tables';
import {
  type CommandRequest,
  executeCommand,
} from '../../services/command-service/src/application/execute-command';
import { DynamoEventStore } from '../../services/command-service/src/infrastructure/dynamo-event-store';
import { countRequests } from '../../test/support/request-counts';
import {
  benchDataKeys,
  rawHeadVersion,
  sealedHistoryItems,
  throwawayHistoryItems,
  writeItems,
} from '../fixtures';
import { type HttpHandler, httpEvent, lambdaContext } from '../lambda';
import { castoreUsers, createCastoreTable } from '../peers/castore';
import { profileDuring } from '../profile';
import { describeRuns, type LoadResult, median, round, runLoad } from '../stats';

const SHORT_USERS = 2000;
const LONG_USERS = 4;
const LONG_HISTORY = 1000;

/**
 * Castore's table has a stream like the product's events table (`castoreNoStream`: without, as
 * its adapter's docs create it; short histories only). `rawSmall` is the raw loop writing items of Castore's size (type, payload, time: no event id,
 * correlation id, schema version or state snapshot): on DynamoDB Local an item's size weighs on
 * every write, which AWS bills the same up to 1 KB.
 */
type Contender = 'product' | 'castore' | 'castoreNoStream' | 'raw' | 'rawSmall';

/** In parallel, a few at a time. */
const eachAtOnce = async <T>(items: T[], work: (item: T) => Promise<unknown>, atOnce = 16) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: atOnce }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
};

/**
 * The product's bundled command handler against Castore 2.4.2 (getAggregate + pushEvent, its
 * DynamoDB single-table adapter) and the raw loop (Query the head, conditional PutItem), on one
 * DynamoDB Local: USER_BALANCE +1 on short histories (a different user for each command, as a
 * warm function in AWS sees many users: no data-key cache helps) and on 1,000-event histories.
 * Order rotated each round; medians.
 */
export const peers = async (
  {
    endpoint,
    kmsEndpoint,
    runMs,
    rounds,
  }: { endpoint: string; kmsEndpoint: string; runMs: number; rounds: number },
  commandBundle: string,
  { profile = false }: { profile?: boolean } = {},
) => {
  const client = createDocumentClient({ endpoint });
  // Every contender on this DynamoDB Local, the product too: its bundle reads its tables and
  // endpoint as it loads, so a copy of its own is loaded here, and the environment put back after.
  const environment = { ...process.env };
  const tables = await createTables(endpoint, ['EventsTable', 'IdempotencyTable', 'DataKeysTable']);
  Object.assign(process.env, {
    EVENTS_TABLE: tables.EventsTable,
    IDEMPOTENCY_TABLE: tables.IdempotencyTable,
    DYNAMODB_ENDPOINT: endpoint,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  benchDataKeys(endpoint, kmsEndpoint, tables.DataKeysTable);
  const handler = loadOwnCopy(commandBundle);
  try {
    return await contest(
      { endpoint, kmsEndpoint, runMs, rounds, client, handler, profile },
      tables.EventsTable,
    );
  } finally {
    for (const name of Object.keys(process.env)) {
      if (!(name in environment)) delete process.env[name];
    }
    Object.assign(process.env, environment);
  }
};

/** The bundle loaded anew (its module-level clients and tables), the cached copy left in place. */
const loadOwnCopy = (bundle: string) => {
  const resolved = require.resolve(bundle);
  const cached = require.cache[resolved];
  delete require.cache[resolved];
  try {
    return (require(resolved) as { handler: HttpHandler }).handler;
  } finally {
    if (cached) require.cache[resolved] = cached;
    else delete require.cache[resolved];
  }
};

const contest = async (
  {
    endpoint,
    kmsEndpoint,
    runMs,
    rounds,
    client,
    handler,
    profile,
  }: {
    endpoint: string;
    kmsEndpoint: string;
    runMs: number;
    rounds: number;
    client: ReturnType<typeof createDocumentClient>;
    handler: HttpHandler;
    profile: boolean;
  },
  productTable: string,
) => {
  const keys = benchDataKeys(endpoint, kmsEndpoint, process.env.DATA_KEYS_TABLE as string);
  const raw = await createTables(endpoint, ['EventsTable']);
  const castore = castoreUsers(endpoint, await createCastoreTable(endpoint, { stream: true }));
  const castoreNoStream = castoreUsers(endpoint, await createCastoreTable(endpoint));
  const ids = (label: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${label}-${i}-${randomUUID()}`);
  const users = {
    short: {
      product: ids('p', SHORT_USERS),
      castore: ids('c', SHORT_USERS),
      raw: ids('r', SHORT_USERS),
    },
    long: {
      product: ids('pl', LONG_USERS),
      castore: ids('cl', LONG_USERS),
      raw: ids('rl', LONG_USERS),
    },
  };
  const rawSmallUsers = ids('rs', SHORT_USERS);
  const castoreNoStreamUsers = ids('cn', SHORT_USERS);
  const smallItem = (userId: string, version: number) => ({
    AggregateID: userId,
    Sequence: version,
    EventType: 'USER_BALANCE',
    Payload: '{"delta":1}',
    OccurredAt: new Date().toISOString(),
  });
  for (const [kind, length] of [
    ['short', 1],
    ['long', LONG_HISTORY],
  ] as const) {
    const sealed: Record<string, unknown>[] = [];
    await eachAtOnce(users[kind].product, async (id) => {
      sealed.push(...(await sealedHistoryItems(keys, id, length)));
    });
    await writeItems(client, productTable, sealed);
    await writeItems(
      client,
      raw.EventsTable,
      users[kind].raw.flatMap((id) => throwawayHistoryItems(id, length)),
    );
    await eachAtOnce(
      users[kind].castore,
      (id) => castore.seed(id, length),
      kind === 'long' ? 4 : 16,
    );
  }
  await writeItems(
    client,
    raw.EventsTable,
    rawSmallUsers.map((id) => smallItem(id, 1)),
  );
  await eachAtOnce(castoreNoStreamUsers, (id) => castoreNoStream.seed(id, 1));

  const context = lambdaContext('command');
  const rawTemplate = throwawayHistoryItems('template', 2)[1] as Record<string, unknown>;
  let turn = 0;
  const nextOf = (list: string[]) => list[turn++ % list.length] as string;
  const rawAppend = async (userId: string, item: (version: number) => Record<string, unknown>) => {
    const next = (await rawHeadVersion(client, raw.EventsTable, userId)) + 1;
    await client.send(
      new PutCommand({
        TableName: raw.EventsTable,
        Item: item(next),
        ConditionExpression: 'attribute_not_exists(AggregateID)',
      }),
    );
  };
  type Op = () => Promise<unknown>;
  const commands = (kind: 'short' | 'long'): Partial<Record<Contender, Op>> => ({
    product: async () => {
      const body = {
        user_id: nextOf(users[kind].product),
        event_type: 'USER_BALANCE',
        payload: { delta: 1 },
      };
      const response = await handler(httpEvent('POST', '/command', { body }), context);
      if (response.statusCode !== 200) throw new Error(response.body);
    },
    castore: () => castore.addToBalance(nextOf(users[kind].castore), 1),
    raw: () => {
      const userId = nextOf(users[kind].raw);
      return rawAppend(userId, (Sequence) => ({
        ...rawTemplate,
        AggregateID: userId,
        Sequence,
        EventId: randomUUID(),
      }));
    },
    ...(kind === 'short' && {
      castoreNoStream: () => castoreNoStream.addToBalance(nextOf(castoreNoStreamUsers), 1),
      rawSmall: () => {
        const userId = nextOf(rawSmallUsers);
        return rawAppend(userId, (version) => smallItem(userId, version));
      },
    }),
  });

  // Warm-up of every contender's code and of DynamoDB Local's JVM on these tables.
  for (const op of Object.values(commands('short'))) await runLoad(8, 3000, op as Op);

  const scenarios = [
    { kind: 'short' as const, concurrency: 8 },
    { kind: 'long' as const, concurrency: 1 },
  ];
  const results: Record<string, unknown> = {};
  let hotFrames: unknown;
  for (const { kind, concurrency } of scenarios) {
    const ops = commands(kind);
    const runs: Record<Contender, LoadResult[]> = {
      product: [],
      castore: [],
      castoreNoStream: [],
      raw: [],
      rawSmall: [],
    };
    const order = Object.keys(ops) as Contender[];
    for (let r = 0; r < rounds; r++) {
      // Each contender takes each place in turn: DynamoDB Local's JVM keeps warming up.
      const rotated = [...order.slice(r % order.length), ...order.slice(0, r % order.length)];
      for (const contender of rotated) {
        runs[contender].push(await runLoad(concurrency, runMs, ops[contender] as Op));
      }
    }
    // One more run of the product under the profiler, kept out of the medians it would slow.
    if (profile && kind === 'short') {
      hotFrames = (await profileDuring(() => runLoad(concurrency, runMs, ops.product as Op)))
        .frames;
    }
    const perSecond = (contender: Contender) => median(runs[contender].map((r) => r.perSecond));
    const p50 = (contender: Contender) => median(runs[contender].map((r) => r.latency.p50));
    results[kind] = {
      concurrency,
      events: kind === 'short' ? 1 : LONG_HISTORY,
      product: describeRuns(runs.product),
      castore: describeRuns(runs.castore),
      raw: describeRuns(runs.raw),
      productToCastore: round(perSecond('product') / perSecond('castore')),
      productToRaw: round(perSecond('product') / perSecond('raw')),
      castoreP50ToProductP50: round(p50('castore') / p50('product')),
      ...(runs.castoreNoStream.length > 0 && {
        castoreNoStream: describeRuns(runs.castoreNoStream),
        productToCastoreNoStream: round(perSecond('product') / perSecond('castoreNoStream')),
      }),
      ...(runs.rawSmall.length > 0 && {
        rawSmall: describeRuns(runs.rawSmall),
        rawSmallToRaw: round(perSecond('rawSmall') / perSecond('raw')),
      }),
    };
  }
  return {
    ...results,
    requestsPerCommand: await requestsPerCommand(endpoint, kmsEndpoint),
    ...(hotFrames ? { hotFrames } : {}),
  };
};

/**
 * DynamoDB and KMS requests per command kind, counted by an SDK middleware on the clients of a
 * function that has not seen the user before (an empty data-key cache), averaged over users.
 */
const requestsPerCommand = async (endpoint: string, kmsEndpoint: string) => {
  const tables = await createTables(endpoint, ['EventsTable', 'IdempotencyTable', 'DataKeysTable']);
  const fresh = () => {
    const dynamodb = createDocumentClient({ endpoint });
    const kms = new KMSClient({
      region: 'us-east-1',
      endpoint: kmsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const sent = { dynamodb: countRequests(dynamodb), kms: countRequests(kms) };
    const store = new DynamoEventStore(
      dynamodb,
      { events: tables.EventsTable, idempotency: tables.IdempotencyTable },
      new KmsDataKeys(dynamodb, kms, { table: tables.DataKeysTable, kmsKeyId: LOCAL_KMS_KEY_ID }),
    );
    return { sent, deps: { store, now: () => new Date(), newEventId: randomUUID } };
  };
  const USERS = 20;
  const userIds = Array.from({ length: USERS }, () => `counted-${randomUUID()}`);
  const kinds: [
    string,
    (userId: string) => Omit<CommandRequest, 'userId' | 'correlationId' | 'caller'>,
  ][] = [
    [
      'USER_CREATED',
      () => ({
        command: { type: 'USER_CREATED', payload: { name: 'Ada', email: 'ada@example.com' } },
      }),
    ],
    ['USER_BALANCE', () => ({ command: { type: 'USER_BALANCE', payload: { delta: 1 } } })],
    [
      'USER_BALANCE with Idempotency-Key',
      () => ({
        command: { type: 'USER_BALANCE', payload: { delta: 1 } },
        idempotencyKey: randomUUID(),
      }),
    ],
    ['USER_UPDATED', () => ({ command: { type: 'USER_UPDATED', payload: { name: 'Ada L.' } } })],
    ['USER_DELETED', () => ({ command: { type: 'USER_DELETED', payload: {} } })],
    ['USER_ERASED', () => ({ command: { type: 'USER_ERASED', payload: {} } })],
  ];
  const perKind: Record<string, { dynamodb: Record<string, number>; kms: Record<string, number> }> =
    {};
  for (const [kind, requestOf] of kinds) {
    const total = { dynamodb: {} as Record<string, number>, kms: {} as Record<string, number> };
    for (const userId of userIds) {
      const { sent, deps } = fresh();
      const outcome = await executeCommand(deps, {
        userId,
        caller: 'bench',
        correlationId: 'bench',
        ...requestOf(userId),
      });
      if (outcome.kind !== 'stored') throw new Error(`${kind}: ${JSON.stringify(outcome)}`);
      for (const side of ['dynamodb', 'kms'] as const) {
        for (const [name, count] of Object.entries(sent[side])) {
          total[side][name] = (total[side][name] ?? 0) + count;
        }
      }
    }
    const average = (counts: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(counts).map(([name, count]) => [name, round(count / USERS)]),
      );
    perKind[kind] = { dynamodb: average(total.dynamodb), kms: average(total.kms) };
  }
  return perKind;
};
