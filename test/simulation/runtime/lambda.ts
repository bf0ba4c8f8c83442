import type { Context } from 'aws-lambda';
import { Actor, actingAs } from './actors';
import { FaultPlan } from './faults';

export type Handler<E, R> = (event: E, context: Context) => Promise<R>;

export type Invocation<R> =
  | { kind: 'answered'; value: R }
  | { kind: 'failed'; error: unknown }
  /** Ran past its timeout: Lambda answered an error and tore the environment down. */
  | { kind: 'timedOut' }
  /** The environment died mid-way (a crash): an error, the environment gone. */
  | { kind: 'crashed' };

/** How long a frozen environment is kept for the next invocation before Lambda reaps it. */
const KEPT_WARM_MS = 5 * 60_000;

type Sandbox<E, R> = { actor: Actor; handler: Handler<E, R>; idleSince: number };

/**
 * A Lambda function: each invocation runs in an execution environment of its own (a warm one if
 * one is idle), with the function's timeout; past it the environment is torn down (nothing it
 * started goes on), otherwise frozen until its next invocation. `create` builds what one
 * environment holds (its module state: clients, caches).
 */
export class LambdaFunction<E, R> {
  private readonly idle: Sandbox<E, R>[] = [];
  private readonly actors: Actor[] = [];
  private sandboxes = 0;
  private requests = 0;
  readonly invocations = { total: 0, timedOut: 0, failed: 0 };
  /** Told when an invocation runs past the timeout. */
  onTimeout?: () => void;

  constructor(
    readonly name: string,
    readonly timeoutMs: number,
    private readonly create: () => Handler<E, R>,
  ) {}

  /**
   * Runs one invocation. `crashAfterMs`: the environment dies that long into it (out of memory, a
   * kill): what it had written stays, nothing it started goes on, and Lambda reports an error.
   */
  async invoke(
    event: E,
    plan: FaultPlan = FaultPlan.none,
    crashAfterMs?: number,
  ): Promise<Invocation<R>> {
    this.invocations.total++;
    const sandbox = this.warm() ?? this.cold();
    sandbox.actor.run(plan);
    const deadline = Date.now() + this.timeoutMs;
    const context = {
      functionName: this.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${this.name}`,
      memoryLimitInMB: '1024',
      awsRequestId: `${this.name}-${++this.requests}`,
      logGroupName: `/aws/lambda/${this.name}`,
      logStreamName: sandbox.actor.name,
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    } as Context;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let crash: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<Invocation<R>>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timedOut' }), this.timeoutMs);
      if (crashAfterMs !== undefined && crashAfterMs < this.timeoutMs) {
        crash = setTimeout(() => resolve({ kind: 'crashed' }), crashAfterMs);
      }
    });
    const ran = actingAs(sandbox.actor, () => sandbox.handler(event, context)).then(
      (value): Invocation<R> => ({ kind: 'answered', value }),
      (error: unknown): Invocation<R> => ({ kind: 'failed', error }),
    );
    const outcome = await Promise.race([ran, timedOut]);
    clearTimeout(timer);
    clearTimeout(crash);
    if (outcome.kind === 'timedOut' || outcome.kind === 'crashed') {
      if (outcome.kind === 'timedOut') this.invocations.timedOut++;
      sandbox.actor.kill();
      if (outcome.kind === 'timedOut') this.onTimeout?.();
    } else {
      if (outcome.kind === 'failed') this.invocations.failed++;
      sandbox.actor.freeze();
      sandbox.idleSince = Date.now();
      this.idle.push(sandbox);
    }
    return outcome;
  }

  /** Every environment torn down: the run is over, nothing of it may go on into the next. */
  killAll() {
    for (const actor of this.actors) actor.kill();
    this.idle.length = 0;
  }

  private warm() {
    while (this.idle.length > 0) {
      const sandbox = this.idle.pop() as Sandbox<E, R>;
      if (Date.now() - sandbox.idleSince < KEPT_WARM_MS) return sandbox;
      sandbox.actor.kill();
    }
    return undefined;
  }

  private cold(): Sandbox<E, R> {
    const actor = new Actor(`${this.name}#${++this.sandboxes}`, FaultPlan.none);
    this.actors.push(actor);
    // Module state is made inside the environment: whatever it sends at start-up is its own.
    const handler = actingAs(actor, () => this.create());
    return { actor, handler, idleSince: Date.now() };
  }
}
