import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { schedulerAnswer } from './local-scheduler-http';
import {
  isoSeconds,
  SchedulerError,
  type StoredSchedule,
  scheduleOf,
  scheduleView,
  withContext,
} from './local-scheduler-schedule';

export type { SchedulerAnswer } from './local-scheduler-http';
export { SchedulerError } from './local-scheduler-schedule';

/** What the local scheduler did, for drills and tests to read. */
export type SchedulerCounters = {
  created: number;
  deleted: number;
  /** Schedules deleted by themselves once fired (ActionAfterCompletion DELETE). */
  completed: number;
  fired: number;
  delivered: number;
  retried: number;
  deadLettered: number;
  duplicated: number;
};

/**
 * Faults to inject: every firing delivered twice; deliveries made `lateMs` after they are due;
 * firings up to `earlyMs` before their time (EventBridge Scheduler fires within the minute a
 * schedule is set for: 60 s precision).
 */
export type SchedulerFaults = { duplicate?: boolean; lateMs?: number; earlyMs?: number };

type Fired = { functionName: string; input: unknown };
type Saved = { offsetMs: number; schedules: StoredSchedule[]; lastFired: [string, Fired][] };

/** EventBridge Scheduler's defaults: 185 retries over up to a day. */
const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_EVENT_AGE_S = 86_400;
/** Locally a few retries a second apart, not 185 over a day. */
const MAX_RETRY_ATTEMPTS = 5;
const RETRY_PAUSE_MS = 1000;
const TICK_MS = 250;
/** What the newest schedules fired with, for `refire`: enough for a drill to find its own. */
const FIRINGS_KEPT = 1000;

const keyOf = (group: string, name: string) => `${group}/${name}`;

const load = (file: string): Partial<Saved> => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
};

/** Written whole and renamed, so a crash never leaves half a file. */
const save = (file: string, saved: Saved) => {
  writeFileSync(`${file}.tmp`, JSON.stringify(saved, null, 2));
  renameSync(`${file}.tmp`, file);
};

/**
 * EventBridge Scheduler's one-time schedules (CreateSchedule, GetSchedule, DeleteSchedule, as
 * @aws-sdk/client-scheduler sends them) for the local stack, on a clock that tests move forward
 * (`advance`): a schedule fires once its at() time is reached, delivering its Input (context
 * attributes filled in) to the function its target names, retried as its retry policy says (at
 * most a few times locally), then dead-lettered; a schedule with ActionAfterCompletion DELETE is
 * deleted once fired. Saved to `file`, if given, on every change, clock included.
 */
export const createLocalScheduler = (
  deliver: (functionName: string, input: unknown) => Promise<void>,
  {
    file,
    maxRetryAttempts = MAX_RETRY_ATTEMPTS,
    retryPauseMs = RETRY_PAUSE_MS,
    tickMs = TICK_MS,
  }: { file?: string; maxRetryAttempts?: number; retryPauseMs?: number; tickMs?: number } = {},
) => {
  const saved = file ? load(file) : {};
  let offsetMs = saved.offsetMs ?? 0;
  const schedules = new Map((saved.schedules ?? []).map((s) => [keyOf(s.group, s.name), s]));
  const lastFired = new Map(saved.lastFired ?? []);
  let faults: SchedulerFaults = {};
  const counters: SchedulerCounters = {
    created: 0,
    deleted: 0,
    completed: 0,
    fired: 0,
    delivered: 0,
    retried: 0,
    deadLettered: 0,
    duplicated: 0,
  };
  const deadLetters: { group: string; name: string; functionName: string; input: unknown }[] = [];
  const firing = new Set<StoredSchedule>();
  const inFlight = new Set<Promise<void>>();
  /** Wakes every pause under way: once stopped, nothing waits. */
  const pauses = new Set<() => void>();
  let stopped = false;

  const now = () => Date.now() + offsetMs;
  const remember = (key: string, fired: Fired) => {
    lastFired.delete(key);
    lastFired.set(key, fired);
    const oldest = lastFired.keys().next().value;
    if (lastFired.size > FIRINGS_KEPT && oldest !== undefined) lastFired.delete(oldest);
  };
  const persist = () => {
    if (file)
      save(file, { offsetMs, schedules: [...schedules.values()], lastFired: [...lastFired] });
  };
  // Unref'd: a pause never keeps a stopping process alive, and stop() cuts it short.
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        pauses.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms).unref();
      pauses.add(wake);
    });

  /** One execution: attempts until one is delivered or the retries run out. False if given up. */
  const execute = async (schedule: StoredSchedule, executionId: string, startedAt: number) => {
    const { RetryPolicy: retry = {}, Input = '{}' } = schedule.target;
    const retries = Math.min(
      retry.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS,
      maxRetryAttempts,
    );
    const maxAgeMs = (retry.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_S) * 1000;
    const { group, name, functionName } = schedule;
    for (let attempt = 1; ; attempt++) {
      const input = JSON.parse(
        withContext(Input, {
          'schedule-arn': schedule.arn,
          'scheduled-time': isoSeconds(schedule.time),
          'execution-id': executionId,
          'attempt-number': String(attempt),
        }),
      );
      remember(keyOf(group, name), { functionName, input });
      try {
        await deliver(functionName, input);
        counters.delivered++;
        return true;
      } catch {
        if (attempt > retries || Date.now() - startedAt > maxAgeMs) {
          counters.deadLettered++;
          deadLetters.push({ group, name, functionName, input });
          return true;
        }
        if (stopped) return false;
        counters.retried++;
        await pause(retryPauseMs);
        if (stopped) return false;
      }
    }
  };

  const complete = (schedule: StoredSchedule) => {
    const key = keyOf(schedule.group, schedule.name);
    // Deleted meanwhile (or deleted and made anew): the firing still went out, as in AWS.
    if (schedules.get(key) === schedule) {
      if (schedule.actionAfterCompletion === 'DELETE') {
        schedules.delete(key);
        counters.completed++;
      } else {
        schedule.firedAt = now();
      }
    }
    persist();
  };

  const fire = (schedule: StoredSchedule) => {
    firing.add(schedule);
    counters.fired++;
    const executionId = randomUUID();
    const run = async () => {
      if (faults.lateMs) await pause(faults.lateMs);
      if (stopped) return void firing.delete(schedule);
      const copies = faults.duplicate ? 2 : 1;
      counters.duplicated += copies - 1;
      const startedAt = Date.now();
      const runs = Array.from({ length: copies }, () => execute(schedule, executionId, startedAt));
      const done = (await Promise.all(runs)).every(Boolean) && !stopped;
      firing.delete(schedule);
      // A firing given up (stopped) is not complete: it fires again after a restart.
      if (done) complete(schedule);
    };
    const delivery = run().finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  };

  const check = () => {
    if (stopped) return;
    const clock = now();
    for (const schedule of schedules.values()) {
      const idle = schedule.firedAt === undefined && !firing.has(schedule);
      const firesAt = schedule.time - (faults.earlyMs ?? 0);
      if (idle && schedule.state === 'ENABLED' && firesAt <= clock) fire(schedule);
    }
  };
  const timer = setInterval(check, tickMs).unref();

  const settled = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  /** Moves the clock on; resolves once every schedule due by then was delivered or dead-lettered. */
  const advance = async (ms: number) => {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new SchedulerError('ValidationException', 'ms must be a number, 0 or more');
    }
    offsetMs += ms;
    persist();
    // Deliveries may make schedules already due: those too.
    for (check(); inFlight.size > 0; check()) await settled();
    return now();
  };

  const find = (group: string, name: string) => {
    const schedule = schedules.get(keyOf(group, name));
    if (!schedule) {
      throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
    }
    return schedule;
  };

  const create = (name: string, body: Record<string, unknown>) => {
    const schedule = scheduleOf(name, body, now());
    const key = keyOf(schedule.group, name);
    if (schedules.has(key)) {
      throw new SchedulerError('ConflictException', `Schedule ${name} already exists.`);
    }
    schedules.set(key, schedule);
    counters.created++;
    persist();
    return { ScheduleArn: schedule.arn };
  };

  const remove = (group: string, name: string) => {
    find(group, name);
    schedules.delete(keyOf(group, name));
    counters.deleted++;
    persist();
    return {};
  };

  /** Delivers again what a schedule last fired with: a late duplicate, even once it is deleted. */
  const refire = async (group: string, name: string) => {
    const fired = lastFired.get(keyOf(group, name));
    if (!fired) {
      throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} never fired.`);
    }
    counters.duplicated++;
    await deliver(fired.functionName, fired.input);
    counters.delivered++;
  };

  const list = () =>
    [...schedules.values()].map(({ group, name, time, functionName, state, firedAt }) => ({
      group,
      name,
      time: isoSeconds(time),
      functionName,
      state,
      fired: firedAt !== undefined,
    }));

  const setFaults = (next: SchedulerFaults) => {
    faults = next;
    return faults;
  };

  const operations = {
    createSchedule: create,
    getSchedule: (group: string, name: string) => scheduleView(find(group, name)),
    deleteSchedule: remove,
    advance,
    refire,
    setFaults,
    /** The scheduler's clock: real time plus what `advance` added, in milliseconds. */
    now,
    schedules: list,
    counters: () => ({ ...counters, inFlight: inFlight.size }),
    deadLetters: () => [...deadLetters],
    /** Resolves once nothing is being delivered. */
    settled,
    /** Stops the clock's checks and gives up every delivery still waiting or retrying. */
    stop: () => {
      stopped = true;
      clearInterval(timer);
      for (const wake of [...pauses]) wake();
    },
  };
  return { ...operations, answer: schedulerAnswer(operations) };
};

export type LocalScheduler = ReturnType<typeof createLocalScheduler>;
