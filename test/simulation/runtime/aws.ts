import type { HttpRequest } from '@smithy/core/protocols';
import { HttpResponse } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';
import type { LocalBus } from '../../../scripts/local-stack/local-bus';
import type { LocalScheduler } from '../../../scripts/local-stack/local-scheduler';
import {
  type Around,
  DynamoDBError,
  type SimulatedCall,
  type SimulatedDynamoDB,
  simulatedRequestHandler,
  unlessAborted,
} from '../dynamodb';
import { currentActor } from './actors';
import type { Fault } from './faults';
import { hang as never } from './hung';
import type { Random } from './random';

/** What the whole system is running on, shared by every request. */
export type Conditions = {
  /**
   * Tables DynamoDB refuses every request on, until (virtual epoch ms): a hot partition. Also
   * `SCHEDULES` (the erasures' schedule group), contended as long.
   */
  throttled: Map<string, number>;
  /** How often an eventually consistent read is answered by a lagging replica, and how late. */
  lag: { chance: number; maxMs: number };
};

/**
 * The erasures' schedule group under another operation's hold (a redeploy, an operator's script):
 * a creation conflicts and the other requests are throttled, whether or not the schedule exists.
 */
export const SCHEDULES = 'scheduler';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const BATCHES = new Set(['BatchWriteItem', 'BatchGetItem']);

/** Every table a request names. */
const tablesOf = (input: Record<string, unknown>): string[] => {
  const named = typeof input.TableName === 'string' ? [input.TableName] : [];
  const batch = Object.keys((input.RequestItems as object | undefined) ?? {});
  const transaction = ((input.TransactItems as Record<string, { TableName: string }>[]) ?? []).map(
    (item) => (Object.values(item)[0] as { TableName: string }).TableName,
  );
  return [...named, ...batch, ...transaction];
};

const networkError = (message: string, code: string) => Object.assign(new Error(message), { code });

const timeoutError = () =>
  Object.assign(new Error('request timed out (simulated stall)'), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  });

/** Half (or none) of each table's requests taken, the rest handed back as DynamoDB does when throttled. */
const split = <T>(items: T[], share: 'half' | 'all'): [T[], T[]] => {
  const taken = share === 'all' ? 0 : Math.ceil(items.length / 2);
  return [items.slice(0, taken), items.slice(taken)];
};

type JsonService = (target: string, input: Record<string, unknown>) => Promise<object> | object;

/** An error as a JSON 1.1 service (KMS, EventBridge, Secrets Manager) answers it. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    readonly status = 400,
  ) {
    super(type);
  }
}

const json = (statusCode: number, body: object) =>
  new HttpResponse({
    statusCode,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(JSON.stringify(body)),
  });

/**
 * AWS as the functions meet it, in one process: every SDK client's transport (the Node HTTP
 * handler, whatever its options) answers from the emulator (DynamoDB), a KMS, the local bus
 * (EventBridge) and a secret, through faults drawn for the actor that sent the request. The
 * client's own request timeout is honoured exactly as the real handler honours it: only with
 * `throwOnRequestTimeout`, otherwise a stalled answer waits for ever.
 */
export class SimulatedAws {
  /** When each commit was made, for reads answered by a lagging replica. */
  private readonly commits: { at: number; index: number }[] = [{ at: 0, index: 0 }];
  private original?: NodeHttpHandler['handle'];
  readonly requests = { total: 0, faulted: 0 };
  /**
   * Every write that hides a user ahead of (or with) its erasure, and whether it landed: what an
   * observer needs to tell an erasure held from one whose hide DynamoDB refused.
   */
  readonly hides: { userId: string; at: number; landed: boolean }[] = [];

  constructor(
    private readonly dynamodb: SimulatedDynamoDB,
    private readonly bus: LocalBus,
    private readonly scheduler: LocalScheduler,
    private readonly random: Random,
    readonly conditions: Conditions,
  ) {}

  install() {
    const dynamodb = simulatedRequestHandler(this.dynamodb, this.around);
    const services: Record<string, JsonService> = {
      'TrentService.': (target, input) => this.kms(target, input),
      'AWSEvents.': (target, input) => this.events(target, input),
      'secretsmanager.': () => ({
        Name: 'page-tokens',
        SecretString: 'simulated-page-token-secret',
      }),
    };
    const simulation = this;
    this.original = NodeHttpHandler.prototype.handle;
    NodeHttpHandler.prototype.handle = async function (
      this: NodeHttpHandler,
      request: HttpRequest,
      options: HttpHandlerOptions = {},
    ) {
      // The handler's own options, as the client's configuration resolved them.
      const config = await (this as unknown as { configProvider: Promise<Record<string, unknown>> })
        .configProvider;
      const requestTimeout = config.throwOnRequestTimeout
        ? (config.requestTimeout as number | undefined)
        : undefined;
      // A request aborted before its answer fails at once, as node-http-handler's does.
      if (request.path.startsWith('/schedules/')) {
        return {
          response: await unlessAborted(
            simulation.schedulerCall(request, requestTimeout, options.abortSignal),
            options.abortSignal,
          ),
        };
      }
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target.startsWith('DynamoDB_20120810.')) {
        return dynamodb.handle(request, { ...options, requestTimeout } as HttpHandlerOptions);
      }
      const service = Object.entries(services).find(([prefix]) => target.startsWith(prefix));
      if (!service) throw new Error(`no simulated service answers ${target}`);
      const response = await unlessAborted(
        simulation.jsonService(
          target,
          JSON.parse(String(request.body ?? '{}')),
          service[1],
          requestTimeout,
          options.abortSignal,
        ),
        options.abortSignal,
      );
      return { response };
    } as NodeHttpHandler['handle'];
  }

  uninstall() {
    if (this.original) NodeHttpHandler.prototype.handle = this.original;
  }

  /** A few milliseconds a request, and more for a large one (about 10 MB/s). */
  private readonly latency = (bytes = 0) =>
    1 + this.random.integer(0, 4) + Math.floor(bytes / 10_000);

  private readonly around: Around = async (call, execute) => {
    const actor = currentActor();
    // A torn-down environment sends nothing more (its in-flight requests still land).
    if (!actor.alive) return never();
    this.requests.total++;
    const throttledTable = tablesOf(call.input).some(
      (table) => (this.conditions.throttled.get(table) ?? 0) > Date.now(),
    );
    const body = JSON.stringify(call.input);
    const fault: Fault = throttledTable
      ? this.hotPartition(call.operation)
      : actor.plan.draw(call.operation, body);
    if (fault.kind !== 'none') this.requests.faulted++;
    await sleep(this.latency(body.length));
    if (call.abortSignal?.aborted) return never();
    const apply = () => this.apply(call, execute);
    let output: object;
    switch (fault.kind) {
      case 'throttle':
        throw this.throttling(call.operation);
      case 'serverError':
        if (fault.applied) await apply();
        throw new DynamoDBError('InternalServerError', 'Internal server error (simulated)');
      case 'lostAnswer':
        await apply();
        await sleep(this.latency());
        throw networkError('socket hang up (simulated)', 'ECONNRESET');
      case 'stall':
        if (fault.applied) await apply();
        return this.stalled(call.requestTimeout);
      case 'unprocessed':
        output = await this.partly(call, fault.share);
        break;
      default:
        output = await apply();
    }
    await sleep(this.latency(JSON.stringify(output).length));
    await actor.gate();
    return output;
  };

  /**
   * A table over its throughput: a batch may come back whole as unprocessed (DynamoDB takes none
   * of it), anything else is refused.
   */
  private hotPartition(operation: string): Fault {
    return BATCHES.has(operation) && this.random.chance(0.5)
      ? { kind: 'unprocessed', share: 'all' }
      : { kind: 'throttle' };
  }

  private async stalled(requestTimeout: number | undefined): Promise<never> {
    if (requestTimeout === undefined) return never();
    await sleep(requestTimeout);
    throw timeoutError();
  }

  private throttling(operation: string) {
    if (operation === 'TransactWriteItems' && this.random.chance(0.5)) {
      return new DynamoDBError(
        'TransactionCanceledException',
        'Transaction cancelled (simulated)',
        {
          CancellationReasons: [
            { Code: 'ThrottlingError', Message: 'Throughput exceeds the limit' },
          ],
        },
      );
    }
    return new DynamoDBError(
      'ProvisionedThroughputExceededException',
      'The level of configured provisioned throughput for the table was exceeded (simulated)',
    );
  }

  /** Runs the request against the tables: a transaction holds its items for a moment. */
  private async apply(call: SimulatedCall, execute: () => object): Promise<object> {
    if (call.operation === 'TransactWriteItems') {
      const transaction = this.dynamodb.beginTransaction(call.input);
      await sleep(this.latency());
      return this.committed(this.dynamodb.commitTransaction(transaction));
    }
    if (READS.has(call.operation)) {
      return this.dynamodb.execute(call.operation, call.input, { asOf: this.replicaIndex() });
    }
    const hide = this.hideOf(call);
    if (hide) this.hides.push(hide);
    const output = this.committed(execute());
    if (hide) hide.landed = true;
    return output;
  }

  private hideOf(call: SimulatedCall) {
    const expression = call.input.UpdateExpression;
    if (call.operation !== 'UpdateItem' || typeof expression !== 'string') return undefined;
    if (!expression.includes('Erased = :true')) return undefined;
    const userId = (call.input.Key as { UserID?: { S?: string } }).UserID?.S;
    return userId ? { userId, at: Date.now(), landed: false } : undefined;
  }

  private committed(output: object) {
    const index = this.dynamodb.currentIndex();
    if (index !== this.commits.at(-1)?.index) this.commits.push({ at: Date.now(), index });
    return output;
  }

  /** The commit an eventually consistent read sees: the latest, or one a moment old. */
  private replicaIndex(): number {
    const { chance, maxMs } = this.conditions.lag;
    const latest = this.dynamodb.currentIndex();
    if (!this.random.chance(chance)) return latest;
    const seenAt = Date.now() - this.random.integer(0, maxMs + 1);
    let seen = (this.commits[0] as { index: number }).index;
    for (let i = this.commits.length - 1; i >= 0; i--) {
      const commit = this.commits[i] as { at: number; index: number };
      if (commit.at <= seenAt) {
        seen = commit.index;
        break;
      }
    }
    this.forgetOlderThan(Date.now() - 2 * maxMs - 1000);
    return Math.min(seen, latest);
  }

  private forgetOlderThan(at: number) {
    let drop = 0;
    while (drop < this.commits.length - 1 && (this.commits[drop + 1] as { at: number }).at < at)
      drop++;
    if (drop > 1000) {
      this.commits.splice(0, drop);
      this.dynamodb.forgetBefore((this.commits[0] as { index: number }).index);
    }
  }

  /** A batch of which only half is taken, the rest answered as unprocessed. */
  private async partly(call: SimulatedCall, share: 'half' | 'all' = 'half'): Promise<object> {
    const requestItems = call.input.RequestItems as Record<string, unknown>;
    if (call.operation === 'BatchWriteItem') {
      const taken: Record<string, unknown[]> = {};
      const left: Record<string, unknown[]> = {};
      for (const [table, writes] of Object.entries(requestItems as Record<string, unknown[]>)) {
        const [now, later] = split(writes, share);
        if (now.length) taken[table] = now;
        if (later.length) left[table] = later;
      }
      const output = (
        Object.keys(taken).length === 0
          ? {}
          : await this.apply({ ...call, input: { ...call.input, RequestItems: taken } }, () =>
              this.dynamodb.execute('BatchWriteItem', { ...call.input, RequestItems: taken }),
            )
      ) as { UnprocessedItems?: Record<string, unknown[]> };
      return { ...output, UnprocessedItems: { ...output.UnprocessedItems, ...left } };
    }
    const taken: Record<string, { Keys: unknown[] }> = {};
    const left: Record<string, { Keys: unknown[] }> = {};
    for (const [table, request] of Object.entries(
      requestItems as Record<string, { Keys: unknown[] }>,
    )) {
      const [now, later] = split(request.Keys, share);
      if (now.length) taken[table] = { ...request, Keys: now };
      if (later.length) left[table] = { ...request, Keys: later };
    }
    const output = (await this.apply(
      { ...call, input: { ...call.input, RequestItems: taken } },
      () => ({}),
    )) as {
      UnprocessedKeys?: Record<string, unknown>;
    };
    return { ...output, UnprocessedKeys: { ...output.UnprocessedKeys, ...left } };
  }

  private async jsonService(
    target: string,
    input: Record<string, unknown>,
    service: JsonService,
    requestTimeout: number | undefined,
    abortSignal: HttpHandlerOptions['abortSignal'],
  ): Promise<HttpResponse> {
    const actor = currentActor();
    if (!actor.alive) return never();
    this.requests.total++;
    const fault = actor.plan.draw(target, JSON.stringify(input));
    if (fault.kind !== 'none') this.requests.faulted++;
    await sleep(this.latency());
    if (abortSignal?.aborted) return never();
    const run = async () => service(target, input);
    try {
      switch (fault.kind) {
        case 'throttle':
          throw new ServiceError('ThrottlingException');
        case 'serverError':
          if (fault.applied) await run();
          throw new ServiceError('InternalFailure', 500);
        case 'lostAnswer':
          await run();
          throw networkError('socket hang up (simulated)', 'ECONNRESET');
        case 'stall':
          if (fault.applied) await run();
          return this.stalled(requestTimeout);
        default: {
          const output = await run();
          await sleep(this.latency());
          await actor.gate();
          return json(200, output);
        }
      }
    } catch (error) {
      if (error instanceof ServiceError) {
        return json(error.status, { __type: error.type, message: `${error.type} (simulated)` });
      }
      throw error;
    }
  }

  /**
   * EventBridge Scheduler (REST JSON): the local scheduler on the virtual clock answers, through
   * the faults drawn for the actor that sent the request.
   */
  async schedulerCall(
    request: HttpRequest,
    requestTimeout: number | undefined,
    abortSignal: HttpHandlerOptions['abortSignal'],
  ): Promise<HttpResponse> {
    const actor = currentActor();
    if (!actor.alive) return never();
    this.requests.total++;
    const body = String(request.body ?? '');
    const query = new URLSearchParams(request.query as Record<string, string>).toString();
    const contended = (this.conditions.throttled.get(SCHEDULES) ?? 0) > Date.now();
    const fault: Fault = contended
      ? { kind: request.method === 'POST' ? 'conflict' : 'throttle' }
      : actor.plan.draw(`Scheduler.${request.method}`, `${request.path}?${query} ${body}`);
    if (fault.kind !== 'none') this.requests.faulted++;
    await sleep(this.latency());
    if (abortSignal?.aborted) return never();
    const run = async () =>
      (await this.scheduler.answer(
        request.method,
        `${request.path}${query ? `?${query}` : ''}`,
        body,
      )) ?? { status: 404, body: '{}' };
    const error = (statusCode: number, type: string) =>
      new HttpResponse({
        statusCode,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
        body: Buffer.from(JSON.stringify({ Message: `${type} (simulated)` })),
      });
    switch (fault.kind) {
      case 'throttle':
        return error(429, 'ThrottlingException');
      case 'conflict':
        return error(409, 'ConflictException');
      case 'serverError':
        if (fault.applied) await run();
        return error(500, 'InternalServerException');
      case 'lostAnswer':
        await run();
        throw networkError('socket hang up (simulated)', 'ECONNRESET');
      case 'stall':
        if (fault.applied) await run();
        return this.stalled(requestTimeout);
      default: {
        const answer = await run();
        await sleep(this.latency());
        await actor.gate();
        return new HttpResponse({
          statusCode: answer.status,
          headers: { 'content-type': 'application/json', ...answer.headers },
          body: Buffer.from(answer.body),
        });
      }
    }
  }

  /** KMS: a data key per call, wrapped with its encryption context, opened only with it. */
  private kms(target: string, input: Record<string, unknown>) {
    const context = JSON.stringify(input.EncryptionContext ?? {});
    if (target.endsWith('.GenerateDataKey')) {
      const plaintext = this.random.bytes(32);
      const wrapped = Buffer.from(JSON.stringify({ context, key: plaintext.toString('base64') }));
      return {
        KeyId: input.KeyId,
        Plaintext: plaintext.toString('base64'),
        CiphertextBlob: wrapped.toString('base64'),
      };
    }
    if (target.endsWith('.Decrypt')) {
      const wrapped = JSON.parse(
        Buffer.from(String(input.CiphertextBlob), 'base64').toString('utf8'),
      ) as { context: string; key: string };
      if (wrapped.context !== context) throw new ServiceError('InvalidCiphertextException');
      return { KeyId: input.KeyId, Plaintext: wrapped.key };
    }
    throw new ServiceError('UnsupportedOperationException');
  }

  private events(target: string, input: Record<string, unknown>) {
    if (target.endsWith('.PutEvents')) return this.bus.putEvents(input);
    throw new ServiceError('UnsupportedOperationException');
  }
}
