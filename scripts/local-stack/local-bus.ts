import { randomUUID } from 'node:crypto';
import { matchesPattern } from './event-pattern';

/** A rule on a bus: which events go to which function, and how often a delivery is retried. */
export type BusRule = {
  bus: string;
  functionName: string;
  pattern: Record<string, unknown>;
  maximumRetryAttempts?: number;
};

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
const MAX_ENTRY_BYTES = 256 * 1024;
const RETRY_PAUSE_MS = 1000;
/** Locally a minute of retries (EventBridge: up to 24 hours): long enough to ride out a restart. */
const DEFAULT_ATTEMPTS = 60;

export class BusValidationError extends Error {}

const entrySize = (entry: PutEventsEntry) =>
  Buffer.byteLength(
    `${entry.Source ?? ''}${entry.DetailType ?? ''}${entry.Detail ?? ''}${(entry.Resources ?? []).join('')}`,
  ) + 14;

/**
 * EventBridge's PutEvents and rule delivery, as the stage's functions use them, for the local
 * stack: at most 10 entries a call, each answered on its own (an EventId, or an ErrorCode), events
 * delivered after the answer to every matching rule's function (through serverless-offline's
 * invoke endpoint), retried when the function fails, in no particular order. An entry for a bus
 * that does not exist is accepted and goes nowhere, as in AWS (counted apart).
 */
export const createLocalBus = (invoke: (functionName: string, event: unknown) => Promise<void>) => {
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
  const deadLetters: { functionName: string; event: unknown; error: string }[] = [];

  const deliver = async (rule: BusRule, event: unknown) => {
    const attempts = (rule.maximumRetryAttempts ?? DEFAULT_ATTEMPTS) + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await invoke(rule.functionName, event);
        counters.delivered++;
        return;
      } catch (error) {
        if (attempt >= attempts) {
          counters.deadLettered++;
          deadLetters.push({ functionName: rule.functionName, event, error: String(error) });
          return;
        }
        counters.retried++;
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
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
    const answers = entries.map((entry) => {
      const malformed = (() => {
        try {
          return typeof JSON.parse(entry.Detail ?? '') !== 'object';
        } catch {
          return true;
        }
      })();
      if (malformed) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not JSON' };
      if (!entry.Source || !entry.DetailType || entrySize(entry) > MAX_ENTRY_BYTES) {
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType or size' };
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
    /** Resolves once nothing is being delivered (deliveries started meanwhile included). */
    settled: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
};

export type LocalBus = ReturnType<typeof createLocalBus>;
