import { FaultPlan } from '../runtime/faults';
import { Random } from '../runtime/random';
import { type HttpAnswer, type System, TABLES } from '../system';
import { personalDataHeld } from './invariants';
import type { Observations } from './observations';
import type { Step } from './steps';

type CommandStep = Extract<Step, { kind: 'command' }>;
type ReadStep = Extract<Step, { kind: 'read' }>;

const EVENT_TYPES = {
  create: 'USER_CREATED',
  balance: 'USER_BALANCE',
  update: 'USER_UPDATED',
  delete: 'USER_DELETED',
  erase: 'USER_ERASED',
  requestErasure: 'USER_ERASURE_REQUESTED',
  cancelErasure: 'USER_ERASURE_CANCELLED',
} as const;

/** Tries of a command a client makes when told to try again (5xx, 503 with Retry-After). */
const ATTEMPTS = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The callers: each command sent as a client would (an Idempotency-Key or not, tried again as a
 * 5xx or a 503 tells it to, with the same body), each read checked as it is answered.
 */
export class Clients {
  private commands = 0;
  private names = 0;
  /** Where each command under way is, for a run that does not come to rest. */
  readonly underWay = new Map<string, string>();

  constructor(
    private readonly system: System,
    private readonly observations: Observations,
    private readonly users: string[],
  ) {}

  async command(step: CommandStep) {
    const userId = this.users[step.user] as string;
    const commandId = `c${++this.commands}`;
    const random = new Random(step.seed);
    const body = {
      user_id: userId,
      event_type: EVENT_TYPES[step.command],
      payload: this.payloadOf(step, userId, random),
    };
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const correlationId = `${commandId}.${attempt}`;
      this.underWay.set(commandId, `attempt ${attempt} sent at ${Date.now()}`);
      const answer = await this.system.request(
        this.system.functions.command,
        'POST /command',
        {
          body,
          headers: {
            'x-correlation-id': correlationId,
            ...(step.keyed && { 'idempotency-key': `key-${commandId}` }),
          },
        },
        new FaultPlan(random.fork(), step.faults, 4),
      );
      this.observations.attempts.push({
        commandId,
        correlationId,
        userId,
        eventType: body.event_type,
        status: answer.status,
        body: answer.body,
        answeredAt: Date.now(),
      });
      this.underWay.set(commandId, `attempt ${attempt} answered ${answer.status} at ${Date.now()}`);
      if (answer.status < 500) {
        this.underWay.delete(commandId);
        return;
      }
      const retryAfter = Number(answer.headers['retry-after'] ?? 0);
      await sleep(retryAfter > 0 ? retryAfter * 1000 : 500);
    }
  }

  async read(step: ReadStep) {
    if (step.route === 'erasures') return this.readReceipt(step);
    const userId = this.users[step.user] as string;
    const random = new Random(step.seed);
    const startedAt = Date.now();
    const highest = this.observations.highest(userId);
    const plan = new FaultPlan(random.fork(), 0.05, 2);
    const query: Record<string, string> =
      step.route === 'list'
        ? { limit: '50' }
        : step.route === 'detailAt'
          ? { user_id: userId, version: String(random.integer(1, highest + 2)) }
          : { user_id: userId };
    const route = step.route === 'detailAt' ? 'detail' : step.route;
    const answer = await this.system.request(
      this.system.functions[route],
      `GET /${route}`,
      { query },
      plan,
    );
    this.checkPersonalData(answer, startedAt, step.route);
    if (step.route === 'detail' && (answer.status === 200 || answer.status === 404)) {
      const version =
        answer.status === 200 ? (answer.body as { Version: number }).Version : undefined;
      this.observations.detailAnswered(userId, version, highest);
    }
  }

  /**
   * The user's erasure receipt, by either route (`/erasures/{user_id}` or `?user_id=`): a receipt
   * that says the erasure is complete is read only once no table holds the user's personal data,
   * the history tables aside: `complete` says each step finished once, and a write that raced the
   * erasure (a rebuild's, or a projector's stalled on a split shard) may land entries again
   * afterwards, for the history eraser's next round (docs/personal-data.md#receipt); the end of
   * the run checks every table.
   */
  private async readReceipt(step: ReadStep) {
    const userId = this.users[step.user] as string;
    const random = new Random(step.seed);
    const plan = new FaultPlan(random.fork(), 0.05, 2);
    const answer = random.chance(0.5)
      ? await this.system.request(
          this.system.functions.erasures,
          'GET /erasures/{user_id}',
          { pathParameters: { user_id: userId } },
          plan,
        )
      : await this.system.request(
          this.system.functions.erasures,
          'GET /erasures',
          { query: { user_id: userId } },
          plan,
        );
    if (answer.status !== 200 || !(answer.body as { complete: boolean }).complete) return;
    this.observations.completeReceipts++;
    const notHistory = (table: string) => !table.startsWith(TABLES.history);
    for (const held of personalDataHeld(this.system, this.observations, userId, notHistory)) {
      this.observations.violate(
        "an erasure's receipt says complete only once no table but the history holds the user's personal data",
        `GET /erasures answered complete for ${userId}, yet ${held}`,
      );
    }
  }

  private checkPersonalData(answer: HttpAnswer, startedAt: number, route: string) {
    const found = this.observations.erasedDataIn(JSON.stringify(answer.body ?? ''), startedAt);
    if (found) {
      this.observations.violate(
        "no query serves an erased user's personal data once the projector holds the erasure",
        `GET /${route} answered ${found}`,
      );
    }
  }

  /** Names and emails unique to the user and the moment, so that a leak names its source. */
  private payloadOf(step: CommandStep, userId: string, random: Random) {
    const name = `Name ${userId} n${++this.names}`;
    const email = `${userId}.n${this.names}@example.com`;
    switch (step.command) {
      case 'create':
        this.observations.rememberPersonalData(userId, name, email);
        return { name, email };
      case 'update': {
        const fields = random.pick([{ name }, { email }, { name, email }]);
        this.observations.rememberPersonalData(
          userId,
          fields.name,
          'email' in fields ? fields.email : undefined,
        );
        return fields;
      }
      case 'balance':
        return { delta: step.delta };
      default:
        return {};
    }
  }
}
