import type { Random } from './random';

/** What one request meets on its way to the service and back. */
export type Fault =
  | { kind: 'none' }
  /** Refused, not applied: the SDK retries it. */
  | { kind: 'throttle' }
  /** A 500, applied or not: the SDK retries it. */
  | { kind: 'serverError'; applied: boolean }
  /** Applied, its answer lost on the way back (a reset connection): the SDK retries it. */
  | { kind: 'lostAnswer' }
  /** Applied or not, its answer never comes: only the client's request timeout ends it. */
  | { kind: 'stall'; applied: boolean }
  /** A batch request of which DynamoDB takes only a part (or none), the rest handed back. */
  | { kind: 'unprocessed'; share?: 'half' | 'all' }
  /**
   * A schedule's creation refused as conflicting, not applied: what a concurrent operation on the
   * same name answers, whether or not the schedule exists (not retried by the SDK).
   */
  | { kind: 'conflict' };

const NONE: Fault = { kind: 'none' };

const BATCHES = new Set(['BatchWriteItem', 'BatchGetItem']);
/** CreateSchedule, as the simulated scheduler names the request it draws a fault for. */
const SCHEDULE_CREATION = 'Scheduler.POST';

/**
 * A request and its retries carry the same operation and body (a request without one, the same
 * path): a fault may stick to it across them.
 */
type Sticky = { fault: Fault; left: number };

/**
 * The faults one invocation (or one operator command) meets: each request faulted with
 * probability `rate`, at most `budget` of them, so that a run is hard but not hopeless (a
 * function may be expected to ride out a few faults within its time, not a dead region). A fault
 * sticks to the retries of its request now and then: throttling past the SDK's retries after a
 * lost answer is what makes a stored command look failed.
 */
export class FaultPlan {
  private readonly sticky = new Map<string, Sticky>();

  constructor(
    private readonly random: Random | undefined,
    private readonly rate: number,
    private budget: number,
    /** Whether an answer may stall (an operator's script is stopped by hand instead). */
    private readonly stalls = true,
  ) {}

  static readonly none = new FaultPlan(undefined, 0, 0);

  /** `request`: what tells a request from another of the same operation (its body, or path). */
  draw(operation: string, request: string): Fault {
    const key = `${operation} ${request}`;
    const stuck = this.sticky.get(key);
    if (stuck && stuck.left > 0 && this.budget > 0) {
      stuck.left--;
      this.budget--;
      return stuck.fault;
    }
    const random = this.random;
    if (!random || this.budget <= 0 || !random.chance(this.rate)) return NONE;
    this.budget--;
    const kinds: Fault[] = [
      { kind: 'throttle' },
      { kind: 'serverError', applied: random.chance(0.5) },
      { kind: 'lostAnswer' },
      ...(this.stalls ? [{ kind: 'stall', applied: random.chance(0.5) } as const] : []),
      ...(BATCHES.has(operation) ? [{ kind: 'unprocessed' } as const] : []),
      ...(operation === SCHEDULE_CREATION ? [{ kind: 'conflict' } as const] : []),
    ];
    const fault = random.pick(kinds);
    if (random.chance(0.3)) {
      const then: Fault = random.chance(0.5)
        ? { kind: 'throttle' }
        : { kind: 'serverError', applied: false };
      this.sticky.set(key, { fault: then, left: random.integer(1, 4) });
    }
    return fault;
  }
}
