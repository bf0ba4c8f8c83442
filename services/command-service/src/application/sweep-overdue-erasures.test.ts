import { randomUUID } from 'node:crypto';
import type { UserState } from '../domain/user';
import { initialState } from '../domain/user';
import type { ScheduledErasure } from './erasure-schedule';
import { type CommandDependencies, type CommandRequest, executeCommand } from './execute-command';
import {
  type EventStore,
  type PendingErasures,
  type StreamHead,
  TooLateToWrite,
  VersionTakenError,
  WriteOutcomeUnknown,
} from './ports';
import { SWEEP_MARGIN_MS, sweepOverdueErasures } from './sweep-overdue-erasures';

const NOW = Date.parse('2026-12-10T12:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Hooks = { beforeRead?: () => void; beforeAppend?: (userId: string) => void };

/**
 * Users' heads, and their rows of the pending erasures kept as DynamoEventStore keeps them: in the
 * append that makes a request pending or not (the row is the request pending after it). `hooks`
 * run before each read of a head and each append: a clock read or moved on, a failure.
 */
const memoryStore = (hooks: Hooks = {}) => {
  const heads = new Map<string, StreamHead>();
  const rows = new Map<string, string>();
  const store: EventStore = {
    readHead: async (userId) => {
      hooks.beforeRead?.();
      return heads.get(userId) ?? { version: 0, state: initialState };
    },
    appendEvents: async ({ events }) => {
      const [first] = events;
      const last = events.at(-1);
      if (!first || !last) return;
      const { userId } = first.event;
      hooks.beforeAppend?.(userId);
      if (first.event.version !== (heads.get(userId)?.version ?? 0) + 1) {
        throw new VersionTakenError();
      }
      heads.set(userId, { version: last.event.version, state: last.stateAfter });
      const pending = (last.stateAfter as Extract<UserState, { pendingErasure?: unknown }>)
        .pendingErasure;
      if (pending) rows.set(userId, pending.eraseAfter);
      else rows.delete(userId);
    },
    recordOutcome: async () => {},
    readIdempotency: async () => undefined,
  };
  return { store, heads, rows };
};

/** The pending erasures in pages of `size`, as the table held them when the Scan began. */
const scanOf = (rows: Map<string, string>, size = 2) => {
  const read = { pages: 0 };
  const pending: PendingErasures = {
    async *pages() {
      const all = [...rows].map(([userId, eraseAfter]) => ({ userId, eraseAfter }));
      for (let i = 0; i < all.length; i += size) {
        read.pages++;
        yield all.slice(i, i + size);
      }
    },
  };
  return { pending, read };
};

/** A scan that yields these pages, whatever the store holds (a row read a moment stale). */
const pagesOf = (...pages: ScheduledErasure[][]): PendingErasures => ({
  async *pages() {
    yield* pages;
  },
});

const depsAt = (store: EventStore, at: number): CommandDependencies => ({
  store,
  now: () => new Date(at),
  newEventId: randomUUID,
  retryPolicy: { maxAttempts: 3, baseMs: 0, capExponent: 0 },
  erasureGraceSeconds: DAY / 1000,
});

const send = (deps: CommandDependencies, userId: string, type: string, payload: object = {}) =>
  executeCommand(deps, {
    userId,
    command: { type, payload } as CommandRequest['command'],
    caller: userId,
    correlationId: 'test',
  });

/** A user who asked to be erased at `askedAt`: due a day later. */
const requested = async (store: EventStore, userId: string, askedAt: number) => {
  await send(depsAt(store, askedAt - MINUTE), userId, 'USER_CREATED', {
    name: 'Sweep Canary',
    email: 'sweep@example.com',
  });
  await send(depsAt(store, askedAt), userId, 'USER_ERASURE_REQUESTED');
};

const statusOf = (heads: Map<string, StreamHead>, userId: string) => heads.get(userId)?.state;

const noTimeLimit = { deadline: Number.POSITIVE_INFINITY };

describe('the sweep of overdue erasures', () => {
  it('carries out an erasure overdue by more than its margin, and leaves one not due to its schedule', async () => {
    const { store, heads, rows } = memoryStore();
    await requested(store, 'overdue', NOW - 2 * DAY);
    await requested(store, 'just-overdue', NOW - DAY - SWEEP_MARGIN_MS);
    await requested(store, 'within-margin', NOW - DAY - SWEEP_MARGIN_MS + 1000);
    await requested(store, 'not-due', NOW);
    const { pending } = scanOf(rows);

    const report = await sweepOverdueErasures(depsAt(store, NOW), pending, noTimeLimit);

    expect(report).toEqual({
      erased: 2,
      alreadyErased: 0,
      notPending: 0,
      failed: 0,
      left: 0,
      notDue: 2,
      complete: true,
    });
    expect(statusOf(heads, 'overdue')).toEqual({ status: 'erased' });
    expect(statusOf(heads, 'just-overdue')).toEqual({ status: 'erased' });
    expect(statusOf(heads, 'within-margin')).toMatchObject({ status: 'active' });
    expect([...rows.keys()].sort()).toEqual(['not-due', 'within-margin']);
    // Run again: nothing left to do.
    expect(
      await sweepOverdueErasures(depsAt(store, NOW), scanOf(rows).pending, noTimeLimit),
    ).toMatchObject({ erased: 0, notDue: 2, complete: true });
  });

  it('never sees a cancelled request, and erases nothing for a row read a moment stale', async () => {
    const { store, heads, rows } = memoryStore();
    await requested(store, 'cancelled', NOW - 2 * DAY);
    await send(depsAt(store, NOW - 2 * DAY + MINUTE), 'cancelled', 'USER_ERASURE_CANCELLED');
    expect(rows.has('cancelled')).toBe(false);
    expect(
      await sweepOverdueErasures(depsAt(store, NOW), scanOf(rows).pending, noTimeLimit),
    ).toEqual({
      erased: 0,
      alreadyErased: 0,
      notPending: 0,
      failed: 0,
      left: 0,
      notDue: 0,
      complete: true,
    });

    // Rows read just before a cancellation, a new request, and a firing's erasure committed.
    await requested(store, 'asked-again', NOW - 3 * DAY);
    await send(depsAt(store, NOW - 3 * DAY + MINUTE), 'asked-again', 'USER_ERASURE_CANCELLED');
    await send(depsAt(store, NOW - 10 * MINUTE), 'asked-again', 'USER_ERASURE_REQUESTED');
    await requested(store, 'erased-by-its-firing', NOW - 2 * DAY);
    await send(depsAt(store, NOW), 'erased-by-its-firing', 'USER_ERASED');
    const stale = pagesOf(
      [
        { userId: 'cancelled', eraseAfter: new Date(NOW - DAY).toISOString() },
        { userId: 'asked-again', eraseAfter: new Date(NOW - 2 * DAY).toISOString() },
      ],
      [{ userId: 'erased-by-its-firing', eraseAfter: new Date(NOW - DAY).toISOString() }],
    );
    expect(await sweepOverdueErasures(depsAt(store, NOW), stale, noTimeLimit)).toMatchObject({
      erased: 0,
      alreadyErased: 1,
      notPending: 2,
      failed: 0,
    });
    expect(statusOf(heads, 'cancelled')).toMatchObject({ status: 'active' });
    expect(statusOf(heads, 'asked-again')).toMatchObject({
      pendingErasure: { eraseAfter: new Date(NOW - 10 * MINUTE + DAY).toISOString() },
    });
  });

  it('counts an erasure that fails and goes on with the others: the next run tries it again', async () => {
    let throttled = false;
    const { store, heads, rows } = memoryStore({
      beforeAppend: (userId) => {
        if (throttled && userId === 'b') throw new Error('ProvisionedThroughputExceededException');
      },
    });
    for (const userId of ['a', 'b', 'c']) await requested(store, userId, NOW - 2 * DAY);
    throttled = true;
    const report = await sweepOverdueErasures(
      depsAt(store, NOW),
      scanOf(rows, 1).pending,
      noTimeLimit,
    );
    expect(report).toMatchObject({ erased: 2, failed: 1, complete: true });
    expect(['a', 'b', 'c'].map((userId) => statusOf(heads, userId)?.status)).toEqual([
      'erased',
      'active',
      'erased',
    ]);
    expect([...rows.keys()]).toEqual(['b']);
  });

  it.each([
    ['no time left to write', new TooLateToWrite()],
    ["no time left to learn a write's outcome", new WriteOutcomeUnknown(new Error('lost answer'))],
  ])('counts an erasure the run ended before (%s) as left, not failed', async (_, error) => {
    let late = false;
    const { store, rows } = memoryStore({
      beforeAppend: () => {
        if (late) throw error;
      },
    });
    await requested(store, 'late', NOW - 2 * DAY);
    late = true;
    const report = await sweepOverdueErasures(
      depsAt(store, NOW),
      scanOf(rows).pending,
      noTimeLimit,
    );
    expect(report).toMatchObject({ erased: 0, failed: 0, left: 1, complete: true });
    expect([...rows.keys()]).toEqual(['late']);
  });

  it('starts no erasure it could not finish by its deadline, and leaves the rest for the next run', async () => {
    let clock = 0;
    const started: number[] = [];
    // Each erasure takes 3 s of the run.
    const { store, rows } = memoryStore({
      beforeRead: () => started.push(clock),
      beforeAppend: () => {
        clock += 3000;
      },
    });
    const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    for (const userId of users) await requested(store, userId, NOW - 2 * DAY);
    started.length = 0;
    clock = 0;
    const { pending, read } = scanOf(rows, 10);
    const deadline = 20_000;

    const report = await sweepOverdueErasures(depsAt(store, NOW), pending, {
      deadline,
      clock: () => clock,
    });

    expect(report.complete).toBe(false);
    expect(report.erased).toBeGreaterThan(0);
    expect(report.erased + report.left).toBe(10);
    // The second page is never read: no time was left for what it holds.
    expect(read.pages).toBe(1);
    // Each erasure started with the time one needs (8 s) still ahead of the deadline.
    expect(started.every((at) => at <= deadline - 8000)).toBe(true);
    expect(rows.size).toBe(12 - report.erased);
  });
});
