import { sep } from 'node:path';
import type {
  APIGatewayProxyEventV2,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { createLocalBus, FunctionError, type LocalBus } from '../../scripts/local-stack/local-bus';
import {
  createLocalScheduler,
  type LocalScheduler,
} from '../../scripts/local-stack/local-scheduler';
import { stageConfig, stageTableInputs, tableNames } from '../../scripts/local-stack/tables';
import { SimulatedDynamoDB } from './dynamodb';
import { type Conditions, SimulatedAws } from './runtime/aws';
import { FaultPlan } from './runtime/faults';
import { type Handler, LambdaFunction } from './runtime/lambda';
import type { Random } from './runtime/random';
import { StreamMapping } from './runtime/stream-mapping';

/** The stage the simulation deploys: its own table names, as a stage's serverless files give them. */
export const STAGE = 'sim';

const tables = (() => {
  const names = Object.fromEntries(
    stageTableInputs(STAGE).map((input) => [input.TableName as string, input]),
  );
  return names;
})();

/** The stage's table names, as its serverless files give them. */
export const TABLES = tableNames(STAGE);

/** How often the erasure sweep runs, as the stage's schedule says (erasureSweepSchedule). */
export const ERASURE_SWEEP_EVERY_MS = 60 * 60_000;

/** What every function of the stage finds in its environment (their union: one process). */
const ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'simulated',
  AWS_SECRET_ACCESS_KEY: 'simulated',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_METRICS_NAMESPACE: 'users-sim',
  POWERTOOLS_TRACE_ENABLED: 'false',
  EVENTS_TABLE: TABLES.events,
  IDEMPOTENCY_TABLE: TABLES.idempotency,
  ERASURE_RECEIPTS_TABLE: TABLES.erasureReceipts,
  PENDING_ERASURES_TABLE: TABLES.pendingErasures,
  DATA_KEYS_TABLE: TABLES.dataKeys,
  KMS_KEY_ID: `alias/users-${STAGE}`,
  USER_DETAIL_TABLE: TABLES.detail,
  USER_HISTORY_TABLE: TABLES.history,
  USER_LIST_INDEX: TABLES.listIndex,
  USER_PENDING_ERASURES_INDEX: TABLES.pendingErasuresIndex,
  PROJECTIONS_TABLE: TABLES.projections,
  RECENT_EVENTS_TABLE: TABLES.recentEvents,
  PAGE_TOKEN_SECRET_ID: `users-${STAGE}-page-tokens`,
  EVENT_BUS_ARN: `arn:aws:events:us-east-1:000000000000:event-bus/users-${STAGE}`,
  // Grace periods of 86.4 s of virtual time: a run sees erasures requested, cancelled and carried
  // out (the least a stage may set is a minute).
  ERASURE_GRACE_DAYS: '0.001',
  ERASURE_SCHEDULE_GROUP: `users-${STAGE}-erasures`,
  ERASER_FUNCTION_ARN: `arn:aws:lambda:us-east-1:000000000000:function:users-${STAGE}-scheduledErasure`,
  ERASURE_SCHEDULER_ROLE_ARN: `arn:aws:iam::000000000000:role/users-${STAGE}-us-east-1-erasure-scheduler`,
  ERASURE_FAILURE_QUEUE_ARN: `arn:aws:sqs:us-east-1:000000000000:users-${STAGE}-erasure-failures`,
  STATS_TABLE: TABLES.stats,
  COUNTED_EVENTS_TABLE: TABLES.countedEvents,
};

/**
 * The functions' code, loaded afresh for each run once the environment is set: a handler module
 * holds what a Lambda environment keeps between invocations (SDK clients and their retry quota,
 * data-key and secret caches), which must not leak from one run into the next (a replay would then
 * differ from the run it replays). Only the handlers' modules are loaded again; the code they use
 * keeps nothing.
 */
const freshCode = () => {
  for (const [name, value] of Object.entries(ENVIRONMENT)) process.env[name] ??= value;
  delete process.env.DYNAMODB_ENDPOINT;
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  for (const path of Object.keys(require.cache)) {
    if (path.includes(`${sep}src${sep}handlers${sep}`)) delete require.cache[path];
  }
  return {
    command: require('../../services/command-service/src/handlers/command/handler'),
    detail: require('../../services/query-service/src/handlers/detail/handler'),
    history: require('../../services/query-service/src/handlers/history/handler'),
    list: require('../../services/query-service/src/handlers/list/handler'),
    erasures: require('../../services/query-service/src/handlers/erasure-receipt/handler'),
    projector: require('../../services/query-service/src/handlers/projector/handler'),
    eraser: require('../../services/query-service/src/handlers/history-eraser/handler'),
    publisher: require('../../services/command-service/src/handlers/publisher/handler'),
    scheduledErasure: require('../../services/command-service/src/handlers/scheduled-erasure/handler'),
    erasureSweep: require('../../services/command-service/src/handlers/erasure-sweep/handler'),
    recorder: require('../../services/stats-service/src/handlers/recorder/handler'),
    stageProjections: require('../../scripts/projections/stage-projections'),
    subscription: require('../../services/stats-service/src/application/record-event')
      .STATS_SUBSCRIPTION,
    patterns: require('@users/shared/integration'),
  };
};

/** Every table of the stage, and a later projection version's (deployed with projectionVersions "1,2"). */
const tableInputsWithVersion2 = () => [
  ...Object.values(tables),
  ...[TABLES.detail, TABLES.history].map((name) => ({ ...tables[name], TableName: `${name}-v2` })),
];

export type HttpAnswer = { status: number; headers: Record<string, string>; body: unknown };

/** An administrator's token, as the stage's JWT authorizer hands its claims to a function. */
const ADMIN = { sub: 'simulated-admin', scope: 'users/admin' };

type HttpHandler = Handler<
  APIGatewayProxyEventV2,
  { statusCode: number; headers?: Record<string, string>; body: string }
>;

/** The stage, running: its functions, stream mappings, bus and the operator's scripts. */
export class System {
  readonly dynamodb: SimulatedDynamoDB;
  readonly bus: LocalBus;
  /** EventBridge Scheduler: the erasures' one-time schedules, on the virtual clock. */
  readonly scheduler: LocalScheduler;
  readonly aws: SimulatedAws;
  readonly functions;
  readonly projectorStream: StreamMapping;
  readonly publisherStream: StreamMapping;
  readonly operator;
  /** The background's faults (stream invocations, the eraser, deliveries). */
  backgroundRate = 0.05;
  /** Per schedule (user and due time): whether its firings are lost (see loseFirings). */
  readonly firingsLost = new Map<string, boolean>();
  private losing?: { random: Random; share: number };

  constructor(
    private readonly random: Random,
    conditions: Conditions,
  ) {
    const loaded = freshCode();
    this.dynamodb = new SimulatedDynamoDB([], { now: () => Date.now() });
    for (const input of tableInputsWithVersion2()) this.dynamodb.execute('CreateTable', input);
    this.bus = createLocalBus((_name, event) => this.deliver(event), {
      functionRetryPausesMs: [60_000, 120_000],
      functionConcurrency: 4,
    });
    this.bus.setRules([
      {
        bus: `users-${STAGE}`,
        functionName: 'recorder',
        pattern: loaded.patterns.eventPatternOf(loaded.subscription),
        maximumRetryAttempts: 185,
        functionRetryAttempts: 2,
      },
    ]);
    // Lambda's asynchronous retries of a scheduled erasure that failed: two, a minute or two apart.
    this.scheduler = createLocalScheduler((_name, input) => this.fireErasure(input), {
      maxRetryAttempts: 2,
      retryPauseMs: 60_000,
      tickMs: 1000,
    });
    this.aws = new SimulatedAws(this.dynamodb, this.bus, this.scheduler, random.fork(), conditions);
    const http = (name: string, module: { handler: HttpHandler }) =>
      new LambdaFunction(name, 10_000, () => module.handler);
    this.functions = {
      command: http('command', loaded.command),
      detail: http('detail', loaded.detail),
      history: http('history', loaded.history),
      list: http('list', loaded.list),
      erasures: http('erasures', loaded.erasures),
      projector: new LambdaFunction<DynamoDBStreamEvent, DynamoDBBatchResponse>(
        'projector',
        10_000,
        // Each environment its own data-key cache: another one may still hold an erased key.
        () => loaded.projector.stageProjectorFromEnv(),
      ),
      publisher: new LambdaFunction<DynamoDBStreamEvent, DynamoDBBatchResponse>(
        'publisher',
        10_000,
        () => loaded.publisher.handler,
      ),
      recorder: new LambdaFunction<unknown, unknown>(
        'recorder',
        10_000,
        () => loaded.recorder.handler,
      ),
      scheduledErasure: new LambdaFunction<unknown, unknown>(
        'scheduledErasure',
        10_000,
        () => loaded.scheduledErasure.handler,
      ),
      erasureSweep: new LambdaFunction<unknown, unknown>(
        'erasureSweep',
        300_000,
        () => loaded.erasureSweep.handler,
      ),
      eraser: new LambdaFunction<unknown, unknown>(
        'historyEraser',
        50_000,
        () => loaded.eraser.handler,
      ),
    };
    const mapping = (
      fn: LambdaFunction<DynamoDBStreamEvent, DynamoDBBatchResponse>,
      batchSize: number,
    ) =>
      new StreamMapping(
        this.dynamodb,
        TABLES.events,
        fn,
        {
          batchSize,
          maximumRetryAttempts: 10,
          bisectBatchOnFunctionError: true,
          shards: 3,
          redeliveryChance: 0.03,
          crashChance: () => (this.backgroundRate > 0 ? 0.02 : 0),
        },
        random.fork(),
        () => this.backgroundPlan(),
      );
    this.projectorStream = mapping(this.functions.projector, 100);
    this.publisherStream = mapping(this.functions.publisher, 100);
    const stage = stageConfig(STAGE, { region: 'us-east-1' });
    this.operator = {
      stage,
      projections: loaded.stageProjections.stageProjections(stage, {
        drainMs: 12_000,
        leaseMs: 30_000,
        log: () => {},
      }),
      repairingRestorer: () => loaded.stageProjections.repairingRestorer(stage),
    };
  }

  /** The faults a background invocation meets: a few, now and then. */
  backgroundPlan() {
    return new FaultPlan(this.random.fork(), this.backgroundRate, 3);
  }

  /** An HTTP request through API Gateway to the route's function, as an administrator. */
  async request(
    fn: LambdaFunction<
      APIGatewayProxyEventV2,
      { statusCode: number; headers?: Record<string, string>; body: string }
    >,
    route: string,
    {
      body,
      query,
      pathParameters,
      headers = {},
    }: {
      body?: unknown;
      query?: Record<string, string>;
      /** The route's `{name}` parts, as API Gateway hands them over (decoded). */
      pathParameters?: Record<string, string>;
      headers?: Record<string, string>;
    },
    plan: FaultPlan,
  ): Promise<HttpAnswer> {
    const [method, template] = route.split(' ') as [string, string];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(pathParameters?.[name] ?? ''),
    );
    const event = {
      version: '2.0',
      routeKey: route,
      rawPath: path,
      rawQueryString: new URLSearchParams(query ?? {}).toString(),
      headers: { 'content-type': 'application/json', ...headers },
      ...(query && { queryStringParameters: query }),
      ...(pathParameters && { pathParameters }),
      ...(body !== undefined && { body: JSON.stringify(body) }),
      isBase64Encoded: false,
      requestContext: {
        http: {
          method,
          path,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'simulation',
        },
        requestId: `request-${Date.now()}`,
        routeKey: route,
        stage: '$default',
        time: new Date().toISOString(),
        timeEpoch: Date.now(),
        authorizer: { jwt: { claims: ADMIN, scopes: null } },
      },
    } as unknown as APIGatewayProxyEventV2;
    const outcome = await fn.invoke(event, plan);
    if (outcome.kind !== 'answered') {
      // Lambda's error (a failure or a timeout) reaches the caller as API Gateway's 500.
      return { status: 500, headers: {}, body: { message: 'Internal Server Error' } };
    }
    const { statusCode, headers: answered = {}, body: text } = outcome.value;
    return { status: statusCode, headers: answered, body: text ? JSON.parse(text) : undefined };
  }

  /**
   * From now on, `share` of the erasure schedules (drawn from `random`, once each) lose every
   * firing: a schedule deleted by hand, a target whose role or failure queue changed ARN, a
   * firing left in the failure queue that nobody redrives. The scheduler takes it as delivered.
   */
  loseFirings(random: Random, share: number) {
    this.losing = { random, share };
  }

  /** A schedule's firing of the scheduled erasure; a failure is retried by the scheduler. */
  async fireErasure(input: unknown) {
    const { user_id, erase_after } = input as { user_id: string; erase_after: string };
    const schedule = `${user_id}/${erase_after}`;
    if (this.losing && !this.firingsLost.has(schedule)) {
      this.firingsLost.set(schedule, this.losing.random.chance(this.losing.share));
    }
    if (this.firingsLost.get(schedule)) return;
    const outcome = await this.functions.scheduledErasure.invoke(input, this.backgroundPlan());
    if (outcome.kind !== 'answered') throw new FunctionError('the scheduled erasure failed');
  }

  /** One run of the erasure sweep, as its schedule invokes it: whether it ran to its end. */
  async sweepErasures() {
    return (
      (await this.functions.erasureSweep.invoke({}, this.backgroundPlan())).kind === 'answered'
    );
  }

  /** A delivery of the bus's rule to the recorder; a failure is retried by the bus. */
  private async deliver(event: unknown) {
    // EventBridge delivers late and in any order.
    await new Promise((resolve) => setTimeout(resolve, this.random.integer(0, 2000)));
    const outcome = await this.functions.recorder.invoke(event, this.backgroundPlan());
    if (outcome.kind !== 'answered') throw new FunctionError('the recorder failed');
  }
}
