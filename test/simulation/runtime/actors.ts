import { AsyncLocalStorage } from 'node:async_hooks';
import type { FaultPlan } from './faults';
import { hang } from './hung';

/**
 * Whatever sends requests: a Lambda execution environment (a sandbox) or an operator at a
 * terminal. A sandbox runs while an invocation is under way, is frozen between invocations (its
 * requests, and the answers to them, wait), and is dead once an invocation ran past its timeout
 * (Lambda tears it down: nothing it started goes on).
 */
export class Actor {
  private state: 'running' | 'frozen' | 'dead' = 'running';
  private waiting: (() => void)[] = [];
  /** The faults its current invocation meets. */
  plan: FaultPlan;

  constructor(
    readonly name: string,
    plan: FaultPlan,
  ) {
    this.plan = plan;
  }

  get alive() {
    return this.state !== 'dead';
  }

  run(plan: FaultPlan) {
    if (this.state === 'dead') throw new Error(`${this.name} is dead`);
    this.plan = plan;
    this.state = 'running';
    for (const resume of this.waiting.splice(0)) resume();
  }

  freeze() {
    if (this.state === 'running') this.state = 'frozen';
  }

  kill() {
    this.state = 'dead';
    this.waiting = [];
  }

  /** Resolves while the actor runs; waits while it is frozen; never, once it is dead. */
  gate(): Promise<void> {
    if (this.state === 'running') return Promise.resolve();
    if (this.state === 'dead') return hang();
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

const current = new AsyncLocalStorage<Actor>();

export const actingAs = <T>(actor: Actor, work: () => T): T => current.run(actor, work);

/** The actor whose work sent this request. */
export const currentActor = (): Actor => {
  const actor = current.getStore();
  if (!actor) throw new Error('a request was sent outside any actor');
  return actor;
};
