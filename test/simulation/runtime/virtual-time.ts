import { AsyncResource } from 'node:async_hooks';
import FakeTimers from '@sinonjs/fake-timers';

export type VirtualClock = ReturnType<typeof installVirtualTime>;

/** Where every simulated run starts on the clock. */
export const SIMULATION_EPOCH = Date.parse('2026-12-01T00:00:00.000Z');

const TIMERS = ['setTimeout', 'setInterval', 'setImmediate'] as const;

/**
 * Virtual time: Date and every timer are the clock's, and time moves only when the simulation
 * lets it. A callback keeps the async context it was scheduled in (which invocation it belongs
 * to), as real Node timers do and fake ones do not.
 */
/**
 * One fake-timers instance for the process: its timer ids keep counting across runs, so that a
 * module that outlives a run (a data-key cache's expiry timer) can never clear a later run's timer
 * by an id it kept.
 */
const timers = FakeTimers.withGlobal(globalThis);

export const installVirtualTime = () => {
  const clock = timers.install({
    now: SIMULATION_EPOCH,
    toFake: [
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'setImmediate',
      'clearImmediate',
      'Date',
    ],
  });
  const global = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>;
  // Node's AbortSignal.timeout runs on its own timers, which fake-timers leaves real: every
  // deadline the functions set with it would never come in a run.
  const realTimeout = AbortSignal.timeout;
  AbortSignal.timeout = (ms: number) => {
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort(
        new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      );
    }, ms);
    return controller.signal;
  };
  const uninstall = clock.uninstall.bind(clock);
  clock.uninstall = () => {
    AbortSignal.timeout = realTimeout;
    return uninstall();
  };
  for (const name of TIMERS) {
    const fake = global[name] as (...args: unknown[]) => unknown;
    global[name] = (callback: unknown, ...rest: unknown[]) =>
      fake(
        typeof callback === 'function'
          ? AsyncResource.bind(callback as (...args: unknown[]) => unknown)
          : callback,
        ...rest,
      );
  }
  return clock;
};

/** How long the clock may run without anything left to wait for before the run is stuck. */
export class Stuck extends Error {}

/**
 * Runs the clock until `done()` holds: timers fire in order, each followed by everything their
 * promises set off. Stuck when nothing is scheduled and `done()` still does not hold.
 */
export const runUntil = async (clock: VirtualClock, done: () => boolean, limitMs: number) => {
  const end = clock.now + limitMs;
  while (!done()) {
    if (clock.now >= end) throw new Stuck(`still running after ${limitMs} ms of virtual time`);
    if (clock.countTimers() === 0) {
      // Promises only: let them settle before deciding nothing is left.
      await clock.tickAsync(0);
      if (done()) return;
      if (clock.countTimers() === 0) throw new Stuck('nothing left to wait for');
      continue;
    }
    await clock.nextAsync();
  }
};
