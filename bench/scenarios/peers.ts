import { randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { KmsDataKeys } from '@users/shared';
import { createDocumentClient } from '@users/shared/dynamo';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../scripts/local-stack/dynamodb-local';
import { startLocalAws } from '../../scripts/local-stack/local-aws';
import { LOCAL_KMS_KEY_ID } from '../../scripts/local-stack/local-kms';
import { stopProcessGroup } from '../../scripts/local-stack/processes';
import { COMMAND_FUNCTION_TABLES, createTables } from '../../scripts/local-stack/tables';
import {
  type CommandRequest,
  executeCommand,
} from '../../services/command-service/src/application/execute-command';
import { DynamoEventStore } from '../../services/command-service/src/infrastructure/dynamo-event-store';
import { countRequests } from '../../test/support/request-counts';
import {
  benchDataKeys,
  commandFunctionTables,
  rawHeadVersion,
  sealedHistoryItems,
  throwawayHistoryItems,
  writeItems,
} from '../fixtures';
import { type HttpHandler, httpEvent, lambdaContext } from '../lambda';
import { castoreUsers, createCastoreTable } from '../peers/castore';
import { peerClient } from '../peers/client';
import { createEquinoxTable, equinoxUsers } from '../peers/equinox';
import { averageFootprint, type Footprint, meterItems } from '../peers/footprint';
import { javaPidOf, ownCpuMs, processCpuMs } from '../process-cpu';
import { profileDuring } from '../profile';
import { describeRuns, type LoadResult, median, round, runLoad } from '../stats';

const SHORT_USERS = 2000;
const LONG_USERS = 4;
const LONG_HISTORY = 1000;
/** Fresh users per contender and history whose one command is counted and measured. */
const METERED_USERS = 4;

/**
 * `castoreNoStream` is Castore on a table without a stream (as its adapter's docs create it),
 * `rawSmall` the raw loop writing items of Castore's size (type, payload, time: no event id,
 * correlation id, schema version or state snapshot): controls, on short histories only.
 */
const CONTENDERS = ['product', 'castore', 'equinox', 'raw', 'castoreNoStream', 'rawSmall'] as const;
type Contender = (typeof CONTENDERS)[number];
const CONTROLS: readonly Contender[] = ['castoreNoStream', 'rawSmall'];
const METERED: readonly Contender[] = ['product', 'castore', 'equinox', 'raw'];

/** A contender as the bench drives it: USER_BALANCE +1 on users it seeded. */
type Party = {
  /** Gives each of `userIds` a history of `length` events: created, then balance changes. */
  seed: (userIds: string[], length: number) => Promise<void>;
  command: (userId: string) => Promise<unknown>;
  /** The same command through fresh clients that count its requests and measure its items. */
  metered: () => {
    command: (userId: string) => Promise<unknown>;
    sent: Record<string, number>;
    footprint: Footprint;
  };
};

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
 * DynamoDB single-table adapter), EquinoxJS 1.2.0 (its DynamoStore's Tip, Snapshot access, no
 * cache) and the raw loop (Query the head, conditional PutItem): USER_BALANCE +1 on short
 * histories (a different user for each command, as a warm function in AWS sees many users: no
 * data-key cache helps) and on 1,000-event histories. Order rotated each round; medians.
 *
 * Each contender has a DynamoDB Local of its own (ports `port`, `port + 1`, ...; the product's
 * local KMS after them), started before the first round. DynamoDB Local keeps the stream records
 * of all its tables in one SQLite table indexed by sequence number only, and on every write to a
 * table with a stream looks up that stream's first record by scanning it from the start: on one
 * shared instance each write costs in proportion to the records other tables' streams wrote
 * before this one's first, which favours whichever contender was seeded first (docs/benchmarks.md).
 * `shared` puts every contender on one instance, seeded in the order above, to show that effect.
 */
export const peers = async (
  {
    port,
    runMs,
    warmUpMs,
    rounds,
  }: { port: number; runMs: number; warmUpMs: number; rounds: number },
  commandBundle: string,
  { profile = false, shared = false }: { profile?: boolean; shared?: boolean } = {},
) => {
  const instances: DynamoDbLocal[] = [];
  const localAws = await startLocalAws(port + CONTENDERS.length);
  const environment = { ...process.env };
  try {
    const endpoints = {} as Record<Contender, string>;
    const javaPids: Partial<Record<Contender, number>> = {};
    for (const [index, contender] of CONTENDERS.entries()) {
      if (!shared || index === 0) instances.push(await startDynamoDbLocal(port + index));
      const instance = instances.at(-1) as DynamoDbLocal;
      endpoints[contender] = instance.endpoint;
      if (!shared) javaPids[contender] = javaPidOf(instance.process.pid as number);
    }
    const product = await productParty(endpoints.product, localAws.endpoint, commandBundle);
    const smallItem = (userId: string, version: number) => ({
      AggregateID: userId,
      Sequence: version,
      EventType: 'USER_BALANCE',
      Payload: '{"delta":1}',
      OccurredAt: new Date().toISOString(),
    });
    const rawTemplate = throwawayHistoryItems('template', 2)[1] as Record<string, unknown>;
    const parties: Record<Contender, Party> = {
      product: product.party,
      castore: await castoreParty(endpoints.castore, { stream: true }),
      equinox: await equinoxParty(endpoints.equinox),
      raw: await rawParty(endpoints.raw, throwawayHistoryItems, (userId, Sequence) => ({
        ...rawTemplate,
        AggregateID: userId,
        Sequence,
        EventId: randomUUID(),
      })),
      castoreNoStream: await castoreParty(endpoints.castoreNoStream, { stream: false }),
      rawSmall: await rawParty(
        endpoints.rawSmall,
        (userId, length) => Array.from({ length }, (_, i) => smallItem(userId, i + 1)),
        smallItem,
      ),
    };
    return {
      instances: shared ? 'one shared DynamoDB Local' : 'a DynamoDB Local per contender',
      ...(await contest(parties, javaPids, { runMs, warmUpMs, rounds, profile })),
      footprint: await footprints(parties),
      requestsPerCommand: await product.requestsPerCommand(),
    };
  } finally {
    for (const name of Object.keys(process.env)) {
      if (!(name in environment)) delete process.env[name];
    }
    Object.assign(process.env, environment);
    for (const instance of instances) await stopProcessGroup(instance.process, 'SIGKILL');
    await localAws.stop();
  }
};

/**
 * The product on its DynamoDB Local: its bundle reads its tables and endpoint as it loads, so the
 * environment is set first (the caller puts it back) and a copy of its own is loaded.
 */
const productParty = async (endpoint: string, kmsEndpoint: string, commandBundle: string) => {
  const client = createDocumentClient({ endpoint });
  const tables = await commandFunctionTables(endpoint);
  const keys = benchDataKeys(endpoint, kmsEndpoint, tables.DataKeysTable);
  const handler = loadOwnCopy(commandBundle);
  const context = lambdaContext('command');
  const kmsClient = () =>
    new KMSClient({
      region: 'us-east-1',
      endpoint: kmsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  const party: Party = {
    seed: async (userIds, length) => {
      const sealed: Record<string, unknown>[] = [];
      await eachAtOnce(userIds, async (id) => {
        sealed.push(...(await sealedHistoryItems(keys, id, length)));
      });
      await writeItems(client, tables.EventsTable, sealed);
    },
    command: async (userId) => {
      const body = { user_id: userId, event_type: 'USER_BALANCE', payload: { delta: 1 } };
      const response = await handler(httpEvent('POST', '/command', { body }), context);
      if (response.statusCode !== 200) throw new Error(response.body);
    },
    // The bundle's clients cannot be reached: the same application code through a store of its own.
    metered: () => {
      const dynamodb = createDocumentClient({ endpoint });
      const sent = countRequests(dynamodb);
      const footprint = meterItems(dynamodb, { document: true });
      const store = new DynamoEventStore(
        dynamodb,
        {
          events: tables.EventsTable,
          idempotency: tables.IdempotencyTable,
          erasureReceipts: tables.ErasureReceiptsTable,
          pendingErasures: tables.PendingErasuresTable,
        },
        new KmsDataKeys(dynamodb, kmsClient(), {
          table: tables.DataKeysTable,
          kmsKeyId: LOCAL_KMS_KEY_ID,
        }),
      );
      return {
        sent,
        footprint,
        command: async (userId) => {
          const outcome = await executeCommand(
            { store, now: () => new Date(), newEventId: randomUUID },
            {
              userId,
              caller: 'bench',
              correlationId: 'bench',
              command: { type: 'USER_BALANCE', payload: { delta: 1 } },
            },
          );
          if (outcome.kind !== 'stored') throw new Error(JSON.stringify(outcome));
        },
      };
    },
  };
  return {
    party,
    requestsPerCommand: () => requestsPerCommand(endpoint, kmsClient),
  };
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

const castoreParty = async (endpoint: string, { stream }: { stream: boolean }): Promise<Party> => {
  const client = peerClient(endpoint);
  const table = await createCastoreTable(client, { stream });
  const users = castoreUsers(client, table);
  return {
    seed: (userIds, length) =>
      eachAtOnce(userIds, (id) => users.seed(id, length), length > 1 ? 4 : 16),
    command: (userId) => users.addToBalance(userId, 1),
    metered: () => {
      const metered = peerClient(endpoint);
      const sent = countRequests(metered);
      const footprint = meterItems(metered);
      const mine = castoreUsers(metered, table);
      return { sent, footprint, command: (userId) => mine.addToBalance(userId, 1) };
    },
  };
};

const equinoxParty = async (endpoint: string): Promise<Party> => {
  const client = peerClient(endpoint);
  const table = await createEquinoxTable(client, { stream: true });
  const users = equinoxUsers(client, table);
  return {
    seed: (userIds, length) =>
      eachAtOnce(userIds, (id) => users.seed(id, length), length > 1 ? 4 : 16),
    command: (userId) => users.addToBalance(userId, 1),
    metered: () => {
      const metered = peerClient(endpoint);
      const sent = countRequests(metered);
      const footprint = meterItems(metered);
      const mine = equinoxUsers(metered, table);
      return { sent, footprint, command: (userId) => mine.addToBalance(userId, 1) };
    },
  };
};

/** The raw loop: read the head (a consistent Query, Limit 1), put the next item if absent. */
const rawParty = async (
  endpoint: string,
  history: (userId: string, length: number) => Record<string, unknown>[],
  nextItem: (userId: string, version: number) => Record<string, unknown>,
): Promise<Party> => {
  const client = createDocumentClient({ endpoint });
  const { EventsTable: table } = await createTables(endpoint, ['EventsTable']);
  const append = (through: ReturnType<typeof createDocumentClient>) => async (userId: string) => {
    const next = (await rawHeadVersion(through, table, userId)) + 1;
    await through.send(
      new PutCommand({
        TableName: table,
        Item: nextItem(userId, next),
        ConditionExpression: 'attribute_not_exists(AggregateID)',
      }),
    );
  };
  return {
    seed: (userIds, length) =>
      writeItems(
        client,
        table,
        userIds.flatMap((id) => history(id, length)),
      ),
    command: append(client),
    metered: () => {
      const metered = createDocumentClient({ endpoint });
      const sent = countRequests(metered);
      const footprint = meterItems(metered, { document: true });
      return { sent, footprint, command: append(metered) };
    },
  };
};

const ids = (label: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${label}-${i}-${randomUUID()}`);

/**
 * A timed run, with the CPU it cost per command on each side of the wire: this whole Node process
 * (the contender's code and SDK, the harness, garbage collection, whatever else it runs meanwhile)
 * and the contender's DynamoDB Local JVM, which only its contender uses (none when they share one).
 */
type CostedRun = LoadResult & { nodeCpuMs: number; dynamoDbLocalCpuMs?: number };

const costedRun = async (
  concurrency: number,
  runMs: number,
  op: () => Promise<unknown>,
  javaPid: number | undefined,
): Promise<CostedRun> => {
  const node = ownCpuMs();
  const jvm = javaPid === undefined ? 0 : processCpuMs(javaPid);
  const result = await runLoad(concurrency, runMs, op);
  const commands = Math.max(1, result.latency.count + result.errors);
  return {
    ...result,
    nodeCpuMs: (ownCpuMs() - node) / commands,
    ...(javaPid !== undefined && {
      dynamoDbLocalCpuMs: (processCpuMs(javaPid) - jvm) / commands,
    }),
  };
};

/** Medians of the runs, with CPU ms per command on each side of the wire. */
const describeCostedRuns = (runs: CostedRun[]) => ({
  ...describeRuns(runs),
  nodeCpuMs: round(median(runs.map((r) => r.nodeCpuMs))),
  ...(runs[0]?.dynamoDbLocalCpuMs !== undefined && {
    dynamoDbLocalCpuMs: round(median(runs.map((r) => r.dynamoDbLocalCpuMs as number))),
  }),
});

const contest = async (
  parties: Record<Contender, Party>,
  /** Each contender's own DynamoDB Local JVM; none when they share one. */
  javaPids: Partial<Record<Contender, number>>,
  {
    runMs,
    warmUpMs,
    rounds,
    profile,
  }: { runMs: number; warmUpMs: number; rounds: number; profile: boolean },
) => {
  const users = { short: {}, long: {} } as Record<'short' | 'long', Record<Contender, string[]>>;
  for (const contender of CONTENDERS) {
    users.short[contender] = ids(`${contender}-short`, SHORT_USERS);
    await parties[contender].seed(users.short[contender], 1);
    if (CONTROLS.includes(contender)) continue;
    users.long[contender] = ids(`${contender}-long`, LONG_USERS);
    await parties[contender].seed(users.long[contender], LONG_HISTORY);
  }

  let turn = 0;
  const nextOf = (list: string[]) => list[turn++ % list.length] as string;
  // Every command adds to its user's history: the lengths at the end are reported beside the
  // lengths seeded (Castore's cost grows with the history, the others' does not).
  const sent = { short: {}, long: {} } as Record<'short' | 'long', Record<string, number>>;
  type Op = () => Promise<unknown>;
  const commands = (kind: 'short' | 'long') =>
    Object.fromEntries(
      CONTENDERS.filter((contender) => kind === 'short' || !CONTROLS.includes(contender)).map(
        (contender) => [
          contender,
          () => {
            sent[kind][contender] = (sent[kind][contender] ?? 0) + 1;
            return parties[contender].command(nextOf(users[kind][contender]));
          },
        ],
      ),
    ) as Partial<Record<Contender, Op>>;
  const historyAtEnd = (kind: 'short' | 'long') =>
    Object.fromEntries(
      Object.entries(sent[kind]).map(([contender, count]) => [
        contender,
        Math.round(
          (kind === 'short' ? 1 : LONG_HISTORY) +
            count / (kind === 'short' ? SHORT_USERS : LONG_USERS),
        ),
      ]),
    );

  // Warm-up of every contender's code and of its DynamoDB Local's JVM: with 3 s each, the same
  // Query + PutItem cost one instance's JVM 2.3 ms and another's 3.0 ms in one run.
  for (const op of Object.values(commands('short'))) await runLoad(8, warmUpMs, op as Op);

  const scenarios = [
    { kind: 'short' as const, concurrency: 8 },
    { kind: 'long' as const, concurrency: 1 },
  ];
  const results: Record<string, unknown> = {};
  let hotFrames: unknown;
  for (const { kind, concurrency } of scenarios) {
    const ops = commands(kind);
    const runs = Object.fromEntries(CONTENDERS.map((c) => [c, [] as CostedRun[]])) as Record<
      Contender,
      CostedRun[]
    >;
    const order = Object.keys(ops) as Contender[];
    for (let r = 0; r < rounds; r++) {
      // Each contender takes each place in turn: the machine's load drifts.
      const rotated = [...order.slice(r % order.length), ...order.slice(0, r % order.length)];
      for (const contender of rotated) {
        runs[contender].push(
          await costedRun(concurrency, runMs, ops[contender] as Op, javaPids[contender]),
        );
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
      eventsPerUserAtEnd: historyAtEnd(kind),
      product: describeCostedRuns(runs.product),
      castore: describeCostedRuns(runs.castore),
      equinox: describeCostedRuns(runs.equinox),
      raw: describeCostedRuns(runs.raw),
      productToCastore: round(perSecond('product') / perSecond('castore')),
      productToEquinox: round(perSecond('product') / perSecond('equinox')),
      productToRaw: round(perSecond('product') / perSecond('raw')),
      castoreP50ToProductP50: round(p50('castore') / p50('product')),
      equinoxP50ToProductP50: round(p50('equinox') / p50('product')),
      ...(runs.castoreNoStream.length > 0 && {
        castoreNoStream: describeCostedRuns(runs.castoreNoStream),
        productToCastoreNoStream: round(perSecond('product') / perSecond('castoreNoStream')),
      }),
      ...(runs.rawSmall.length > 0 && {
        rawSmall: describeCostedRuns(runs.rawSmall),
        rawSmallToRaw: round(perSecond('rawSmall') / perSecond('raw')),
      }),
    };
  }
  return {
    settings: { runMs, warmUpMs, rounds, shortUsers: SHORT_USERS, longUsers: LONG_USERS },
    ...results,
    ...(hotFrames ? { hotFrames } : {}),
  };
};

/**
 * What one USER_BALANCE +1 sends, reads and writes, per contender and history length: DynamoDB
 * requests counted by an SDK middleware as for the product's command kinds below, items and their
 * bytes as DynamoDB sizes them, and the capacity units AWS would bill. On users no timed run
 * touched, averaged over them.
 */
const footprints = async (parties: Record<Contender, Party>) => {
  const result: Record<string, Record<string, unknown>> = {};
  for (const [kind, length] of [
    ['short', 1],
    ['long', LONG_HISTORY],
  ] as const) {
    result[kind] = { events: length };
    for (const contender of METERED) {
      const userIds = ids(`${contender}-metered`, METERED_USERS);
      await parties[contender].seed(userIds, length);
      const { command, sent, footprint } = parties[contender].metered();
      for (const userId of userIds) await command(userId);
      result[kind][contender] = {
        dynamodb: Object.fromEntries(
          Object.entries(sent).map(([name, count]) => [name, round(count / METERED_USERS)]),
        ),
        ...averageFootprint(footprint, METERED_USERS),
      };
    }
  }
  return result;
};

/**
 * DynamoDB and KMS requests per command kind, counted by an SDK middleware on the clients of a
 * function that has not seen the user before (an empty data-key cache), averaged over users.
 */
const requestsPerCommand = async (endpoint: string, kmsClient: () => KMSClient) => {
  const tables = await createTables(endpoint, COMMAND_FUNCTION_TABLES);
  const fresh = () => {
    const dynamodb = createDocumentClient({ endpoint });
    const kms = kmsClient();
    const sent = { dynamodb: countRequests(dynamodb), kms: countRequests(kms) };
    const store = new DynamoEventStore(
      dynamodb,
      {
        events: tables.EventsTable,
        idempotency: tables.IdempotencyTable,
        erasureReceipts: tables.ErasureReceiptsTable,
        pendingErasures: tables.PendingErasuresTable,
      },
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
