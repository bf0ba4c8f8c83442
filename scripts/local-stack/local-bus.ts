import { randomUUID } from 'node:crypto';
import { matchesPattern } from './event-pattern';

/**
 * A rule on a bus: which events go to which function, how often EventBridge retries an invocation
 * that fails (the rule's retry policy), and how often Lambda retries an event the function itself
 * failed (the function's asynchronous `maximumRetryAttempts`, 2 by default).
 */
export type BusRule = {
  bus: string;
  functionName: string;
  pattern: Record<string, unknown>;
  maximumRetryAttempts?: number;
  functionRetryAttempts?: number;
};

/** The function ran and failed (Lambda's X-Amz-Function-Error), as opposed to not being reached. */
export class FunctionError extends Error {}

type PutEventsEntry = {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: number | string;
  Resources?: string[];
};

/** What the local bus did, for drills and the bench to read. */
export type BusCounters = {
  accepted: number;
  failed: number;
  unknownBus: number;
  delivered: number;
  duplicated: number;
  retried: number;
  deadLettered: number;
};

/** Faults to inject: a share of entries answered InternalFailure, a share delivered twice. */
export type BusFaults = { failShare?: number; duplicateShare?: number };

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const RETRY_PAUSE_MS = 1000;
/** Locally a minute of retries (EventBridge: up to 24 hours): long enough to ride out a restart. */
const DEFAULT_ATTEMPTS = 60;
/** Lambda's default for asynchronous invocations. */
const DEFAULT_FUNCTION_RETRIES = 2;
/**
 * Lambda waits a minute, then two, before retrying an event the function failed; here a twelfth of
 * that: still long enough to ride out a restart of DynamoDB Local, short enough for a drill.
 */
const FUNCTION_RETRY_PAUSES_MS = [5000, 10_000];
/**
 * Invocations of one function at once. Lambda queues asynchronous invocations and runs them as
 * its concurrency allows; serverless-offline runs every function in one process, where thousands
 * at once (a replay, a seeded history) would only time each other out.
 */
const FUNCTION_CONCURRENCY = 8;
/** Deliveries kept for a look (`delivered()`): the newest, enough for a test to find its own. */
const DELIVERIES_KEPT = 1000;

export class BusValidationError extends Error {}

const entrySize = (entry: PutEventsEntry) =>
  Buffer.byteLength(
    `${entry.Source ?? ''}${entry.DetailType ?? ''}${entry.Detail ?? ''}${(entry.Resources ?? []).join('')}`,
  ) + 14;

/**
 * EventBridge's PutEvents and rule delivery, as the stage's functions use them, for the local
 * stack: at most 10 entries a call, each answered on its own (an EventId, or an ErrorCode), events
 * delivered after the answer to every matching rule's function (through serverless-offline's
 * invoke endpoint), in no particular order: an invocation that fails is retried as the rule's
 * retry policy says, an event the function fails as its asynchronous retries say, then it is
 * dead-lettered. An entry for a bus
 * that does not exist is accepted and goes nowhere, as in AWS (counted apart).
 */
export const createLocalBus = (
  invoke: (functionName: string, event: unknown) => Promise<void>,
  {
    functionRetryPausesMs = FUNCTION_RETRY_PAUSES_MS,
    functionConcurrency = FUNCTION_CONCURRENCY,
  } = {},
) => {
  let rules: BusRule[] = [];
  let faults: BusFaults = {};
  const counters: BusCounters = {
    accepted: 0,
    failed: 0,
    unknownBus: 0,
    delivered: 0,
    duplicated: 0,
    retried: 0,
    deadLettered: 0,
  };
  const inFlight = new Set<Promise<void>>();
  /** Once the stack stops, deliveries give up instead of retrying into functions that are gone. */
  let stopped = false;
  const deadLetters: { functionName: string; event: unknown; error: string }[] = [];
  const deliveries: { functionName: string; event: unknown }[] = [];
  const running = new Map<string, { active: number; waiting: (() => void)[] }>();

  const invokeInTurn = async (functionName: string, event: unknown) => {
    const slots = running.get(functionName) ?? { active: 0, waiting: [] };
    running.set(functionName, slots);
    if (slots.active >= functionConcurrency) {
      await new Promise<void>((resolve) => slots.waiting.push(resolve));
    } else {
      slots.active++;
    }
    try {
      await invoke(functionName, event);
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = slots.waiting.shift();
      if (next) next();
      else slots.active--;
    }
  };

  const deliver = async (rule: BusRule, event: unknown) => {
    const invocations = (rule.maximumRetryAttempts ?? DEFAULT_ATTEMPTS) + 1;
    const runs = (rule.functionRetryAttempts ?? DEFAULT_FUNCTION_RETRIES) + 1;
    let failedInvocations = 0;
    let failedRuns = 0;
    for (;;) {
      try {
        await invokeInTurn(rule.functionName, event);
        counters.delivered++;
        deliveries.push({ functionName: rule.functionName, event });
        if (deliveries.length > DELIVERIES_KEPT) deliveries.shift();
        return;
      } catch (error) {
        if (error instanceof FunctionError) failedRuns++;
        else failedInvocations++;
        if (failedRuns >= runs || failedInvocations >= invocations) {
          counters.deadLettered++;
          deadLetters.push({ functionName: rule.functionName, event, error: String(error) });
          return;
        }
        if (stopped) return;
        counters.retried++;
        const pause =
          error instanceof FunctionError
            ? (functionRetryPausesMs[failedRuns - 1] ?? functionRetryPausesMs.at(-1) ?? 0)
            : RETRY_PAUSE_MS;
        // Unref'd: a pause between retries never keeps a stopping process alive.
        await new Promise((resolve) => setTimeout(resolve, pause).unref());
        if (stopped) return;
      }
    }
  };

  const schedule = (rule: BusRule, event: unknown) => {
    const delivery = deliver(rule, event).finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  };

  const accept = (entry: PutEventsEntry) => {
    const bus = entry.EventBusName ?? 'default';
    const busName = bus.includes(':event-bus/') ? (bus.split(':event-bus/')[1] as string) : bus;
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: '000000000000',
      time: new Date(
        typeof entry.Time === 'number' ? entry.Time * 1000 : (entry.Time ?? Date.now()),
      ).toISOString(),
      region: 'us-east-1',
      resources: entry.Resources ?? [],
      detail: JSON.parse(entry.Detail as string),
    };
    const onBus = rules.filter((rule) => rule.bus === busName);
    if (onBus.length === 0 && !rules.some((rule) => rule.bus === busName)) counters.unknownBus++;
    for (const rule of onBus.filter((r) => matchesPattern(r.pattern, event))) {
      schedule(rule, event);
      if (Math.random() < (faults.duplicateShare ?? 0)) {
        counters.duplicated++;
        schedule(rule, event);
      }
    }
    return event.id;
  };

  /** PutEvents: throws BusValidationError for a request AWS refuses whole. */
  const putEvents = (input: { Entries?: PutEventsEntry[] }) => {
    const entries = input.Entries ?? [];
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new BusValidationError(`Entries must hold 1 to ${MAX_ENTRIES} items`);
    }
    if (entries.reduce((bytes, entry) => bytes + entrySize(entry), 0) > MAX_REQUEST_BYTES) {
      throw new BusValidationError(`The entries must total at most ${MAX_REQUEST_BYTES} bytes`);
    }
    const answers = entries.map((entry) => {
      const malformed = (() => {
        try {
          const detail = JSON.parse(entry.Detail ?? '');
          return typeof detail !== 'object' || detail === null || Array.isArray(detail);
        } catch {
          return true;
        }
      })();
      if (malformed) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not JSON' };
      if (!entry.Source || !entry.DetailType) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source or DetailType missing' };
      }
      if (Math.random() < (faults.failShare ?? 0)) {
        return { ErrorCode: 'InternalFailure', ErrorMessage: 'Failed on purpose' };
      }
      return { EventId: accept(entry) };
    });
    const failed = answers.filter((answer) => 'ErrorCode' in answer).length;
    counters.accepted += answers.length - failed;
    counters.failed += failed;
    return { FailedEntryCount: failed, Entries: answers };
  };

  /** DescribeEventBus: a bus exists locally when a rule is on it (the stack's own bus). */
  const describeEventBus = ({ Name }: { Name?: string }) =>
    rules.some((rule) => rule.bus === Name)
      ? { Name, Arn: `arn:aws:events:us-east-1:000000000000:event-bus/${Name}` }
      : undefined;

  return {
    putEvents,
    describeEventBus,
    setRules: (next: BusRule[]) => {
      rules = next;
      return { rules: rules.length };
    },
    setFaults: (next: BusFaults) => {
      faults = next;
      return faults;
    },
    counters: () => ({ ...counters, inFlight: inFlight.size }),
    deadLetters: () => [...deadLetters],
    /** The newest events a function received (and did not fail), oldest first, as delivered. */
    delivered: () => [...deliveries],
    /** Gives up every delivery still retrying (the functions it would invoke are stopping). */
    stop: () => {
      stopped = true;
    },
    /** Resolves once nothing is being delivered (deliveries started meanwhile included). */
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
};

export type LocalBus = ReturnType<typeof createLocalBus>;
