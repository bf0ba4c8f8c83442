import { createHash } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import stableStringify from 'safe-stable-stringify';
import { SWEEP_MARGIN_MS } from '../../../services/command-service/src/application/sweep-overdue-erasures';
import { rebuildReadModels } from '../../../services/query-service/src/application/rebuild-read-models';
import { DynamoEventScan } from '../../../services/query-service/src/infrastructure/dynamo-event-scan';
import { DynamoUserEvents } from '../../../services/query-service/src/infrastructure/dynamo-user-events';
import { Actor, actingAs } from '../runtime/actors';
import { SCHEDULES } from '../runtime/aws';
import { FaultPlan } from '../runtime/faults';
import { releaseHung } from '../runtime/hung';
import { drawEverythingFrom, Random } from '../runtime/random';
import { installVirtualTime, runUntil } from '../runtime/virtual-time';
import { ERASURE_SWEEP_EVERY_MS, System, TABLES } from '../system';

/** A function's timeout in the simulated stage (system.ts). */
const FUNCTION_TIME_MS = 10_000;

import { Clients } from './clients';
import { checkQuiescence, scanTable } from './invariants';
import { Observations, type Violation } from './observations';
import { type OperatorAction, type Run, type Step, USERS } from './steps';

export type RunReport = {
  violations: Violation[];
  /** What the run did, for the interleavings-per-minute figure. */
  counts: {
    commands: number;
    requests: number;
    faulted: number;
    projectorBatches: number;
    /** Firings of erasure schedules delivered (duplicates and retries included). */
    scheduledErasures: number;
    /** Erasure schedules whose firings were all lost: the sweep's to carry out. */
    lostSchedules: number;
    /** Erasure receipts read complete (each checked against every table then). */
    completeReceipts: number;
    /** Users erased by the end of the run (once each, or the run broke a promise). */
    erasedUsers: number;
    virtualSeconds: number;
  };
  /** The operator's commands that ran, and those refused (with why). */
  operations: Record<string, number>;
};

/** Virtual time a run may take before it is called stuck (a deadlock, or a wait for ever). */
const RUN_LIMIT_MS = 15 * 60_000;
const POLL_EVERY_MS = 100;
const ERASER_EVERY_MS = 60_000;
const READ_EVERY_MS = 150;
/** Erasure schedules whose every firing is lost, in a run with background faults. */
const LOST_FIRINGS_SHARE = 0.3;

const THROTTLED_TABLES: Record<Extract<Step, { kind: 'throttle' }>['table'], string> = {
  'history-v2': `${TABLES.history}-v2`,
  'detail-v2': `${TABLES.detail}-v2`,
  history: TABLES.history,
  'recent-events': TABLES.recentEvents,
  events: TABLES.events,
  schedules: SCHEDULES,
};

const erasuresIn = (records: DynamoDBRecord[]) =>
  records.filter((record) => record.dynamodb?.NewImage?.EventType?.S === 'USER_ERASED');

/**
 * One simulated run: the steps start one after another on a virtual clock, and run at the same
 * time as each other and as the stage's background (the stream mappings, the history eraser every
 * minute, the erasure sweep every hour, the bus). Then the run is brought to rest (faults lifted,
 * streams drained, failure queues redriven, the sweep and the eraser run) and every promise is
 * checked.
 */
/** `make()`, or `undo()` and its error. */
const orUndo = <T>(make: () => T, undo: () => void): T => {
  try {
    return make();
  } catch (error) {
    undo();
    throw error;
  }
};

export const simulate = async (run: Run): Promise<RunReport> => {
  // The same run, the same users: a replay meets what the run met.
  const runId = `s${createHash('sha256')
    .update(stableStringify(run) as string)
    .digest('hex')
    .slice(0, 8)}`;
  const random = new Random(run.seed);
  const undoRandom = drawEverythingFrom(random.fork());
  const clock = installVirtualTime();
  const started = clock.now;
  const conditions = {
    throttled: new Map<string, number>(),
    lag: { chance: run.background.lagChance, maxMs: 800 },
  };
  // Virtual time and the draws are undone by the run's `finally`, or here should the set-up before
  // it throw: a clock left installed would turn every later run (shrinking's too) into "Can't
  // install fake timers twice", hiding the real error.
  const undoClock = () => {
    clock.uninstall();
    undoRandom();
  };
  const system = orUndo(() => new System(random.fork(), conditions), undoClock);
  system.backgroundRate = run.background.faults;
  // EventBridge fails entries now and then, and delivers some twice (late, in any order: system.ts).
  if (run.background.faults > 0) system.bus.setFaults({ failShare: 0.05, duplicateShare: 0.1 });
  // EventBridge Scheduler fires within the minute a schedule is set for, and at least once.
  if (run.background.faults > 0) system.scheduler.setFaults({ duplicate: true, earlyMs: 59_000 });
  orUndo(() => system.aws.install(), undoClock);
  const silenced = silenceOutput();
  const observations = new Observations();
  const users = Array.from({ length: USERS }, (_, i) => `${runId}-u${i}`);
  const clients = new Clients(system, observations, users);
  const operator = new Actor(
    'operator',
    new FaultPlan(random.fork(), run.background.faults, 3, false),
  );
  const background = new Set<Promise<unknown>>();
  const keep = (work: Promise<unknown>) => {
    background.add(work);
    work.finally(() => background.delete(work)).catch(() => {});
  };
  for (const fn of [system.functions.projector, system.functions.publisher]) {
    fn.onTimeout = () =>
      observations.violate(
        'a stream function never runs past its deadline (a follower never holds the live answer back)',
        `a ${fn.name} invocation timed out at ${new Date().toISOString()}`,
      );
  }
  /** A promise broken: the run stops there (its violations are what it found). */
  const broken = () => observations.violations.length > 0;
  // The projector holds an erasure once an invocation that received it answered without
  // reporting it (docs: from the moment it receives the record, even while an earlier event is
  // missing); unless its write that hides the user never landed (DynamoDB refused it: a failure).
  system.projectorStream.onBatch = (records, answer, startedAt) => {
    if (!answer) return;
    const failed = new Set(answer.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const record of erasuresIn(records)) {
      const userId = record.dynamodb?.Keys?.AggregateID?.S as string;
      const hides = system.aws.hides.filter((h) => h.userId === userId && h.at >= startedAt);
      const refused = hides.length > 0 && !hides.some((h) => h.landed);
      if (
        !failed.has(record.dynamodb?.SequenceNumber as string) &&
        !refused &&
        !observations.erasureHeld.has(userId)
      ) {
        observations.erasureHeld.set(userId, Date.now());
      }
    }
  };
  const poll = setInterval(() => {
    for (const stream of [system.projectorStream, system.publisherStream]) {
      for (const batch of stream.poll()) keep(batch);
    }
  }, POLL_EVERY_MS);
  const erase = setInterval(
    () => keep(system.functions.eraser.invoke({}, system.backgroundPlan())),
    ERASER_EVERY_MS,
  );
  // Readers following the users all along, as an application's screens do: whatever a moment
  // shows (a name back for an instant, a version gone back) is seen.
  const readerRandom = random.fork();
  const follow = setInterval(() => {
    keep(
      clients.read({
        after: 0,
        kind: 'read',
        user: readerRandom.integer(0, USERS),
        route: readerRandom.pick([
          'detail',
          'detail',
          'detailAt',
          'history',
          'list',
          'erasures',
        ] as const),
        seed: readerRandom.integer(0, 2 ** 31),
      }),
    );
  }, READ_EVERY_MS);
  // EventBridge Scheduler loses some schedules' firings altogether: only the sweep is left.
  if (run.background.faults > 0) system.loseFirings(random.fork(), LOST_FIRINGS_SHARE);
  /** When the newest sweep that ran to its end started. */
  let sweptAt = Number.NEGATIVE_INFINITY;
  const sweep = setInterval(() => {
    const startedAt = Date.now();
    keep(
      system.sweepErasures().then((ran) => {
        if (ran) sweptAt = Math.max(sweptAt, startedAt);
      }),
    );
  }, ERASURE_SWEEP_EVERY_MS);
  let operatorQueue = Promise.resolve();
  let operatorBusy = 0;
  const unsettled = new Set<Step>();
  const operations: Record<string, number> = {};
  const act = (action: OperatorAction) => {
    const name = 'version' in action ? `${action.kind} ${action.version}` : action.kind;
    operatorQueue = operatorQueue.then(() =>
      actingAs(operator, () => {
        operatorBusy++;
        return operate(system, action).finally(() => operatorBusy--);
      }).then(
        () => {
          operations[name] = (operations[name] ?? 0) + 1;
        },
        (error: Error) => {
          // Refusals (not caught up, a lease held, a version live) are the scripts' answers.
          operations[`${name} refused (${error.message.replace(/\s+/g, ' ').slice(0, 60)})`] = 1;
        },
      ),
    );
    return operatorQueue;
  };
  try {
    const steps: Promise<unknown>[] = [];
    let at = 0;
    // Every user exists to begin with (a creation may still come, and be refused).
    for (const user of users.keys()) {
      steps.push(
        clients.command({
          after: 0,
          kind: 'command',
          user,
          command: 'create',
          delta: 1,
          keyed: false,
          faults: 0,
          seed: user,
        }),
      );
    }
    if (run.prelude === 'follower' || run.prelude === 'switched') {
      act({ kind: 'build', version: 2 });
      if (run.prelude === 'switched') act({ kind: 'switch', version: 2 });
    }
    const total = run.steps.length + users.length;
    for (const step of run.steps) {
      at += step.after;
      setTimeout(() => {
        const work = perform(step);
        steps.push(work);
        unsettled.add(step);
        work.finally(() => unsettled.delete(step)).catch(() => {});
      }, at);
    }
    const perform = (step: Step): Promise<unknown> => {
      switch (step.kind) {
        case 'command':
          return clients.command(step);
        case 'read':
          return clients.read(step);
        case 'split':
          (step.stream === 'projector' ? system.projectorStream : system.publisherStream).split(
            users[step.user] as string,
          );
          return Promise.resolve();
        case 'throttle': {
          const table = THROTTLED_TABLES[step.table];
          // The event store, once recovered, is not refused again within a function's time:
          // refusing a write's lookups for most of it is "not promised" (docs/guarantees.md), and
          // its 500 may well be a stored command.
          const recovered = conditions.throttled.get(table) ?? Number.NEGATIVE_INFINITY;
          if (step.table === 'events' && Date.now() < recovered + FUNCTION_TIME_MS) {
            return Promise.resolve();
          }
          conditions.throttled.set(table, Date.now() + step.forMs);
          return Promise.resolve();
        }
        case 'operator':
          return act(step.action);
      }
    };
    const settled = async (work: Promise<unknown>[]) => {
      let done = false;
      Promise.allSettled(work).then(() => {
        done = true;
      });
      await runUntil(clock, () => done || broken(), RUN_LIMIT_MS);
    };
    await runUntil(clock, () => steps.length === total || broken(), RUN_LIMIT_MS);
    await settled(steps);
    await settled([operatorQueue]);
    if (broken()) throw new RunBroken();

    // At rest: no more faults, then everything the stage does by itself is let finish.
    clearInterval(follow);
    conditions.throttled.clear();
    conditions.lag.chance = 0;
    system.backgroundRate = 0;
    system.bus.setFaults({});
    system.scheduler.setFaults({});
    operator.plan = FaultPlan.none;
    const quiet = () =>
      background.size === 0 &&
      system.projectorStream.drained &&
      system.publisherStream.drained &&
      system.bus.counters().inFlight === 0 &&
      // Every erasure schedule fired (each deletes itself) or was called off.
      system.scheduler.schedules().length === 0 &&
      system.scheduler.counters().inFlight === 0;
    for (let round = 0; round < 3; round++) {
      await runUntil(clock, () => quiet() || broken(), RUN_LIMIT_MS);
      if (broken()) throw new RunBroken();
      await settled([act({ kind: 'redrive' })]);
      await settled([actingAs(operator, () => republish(system))]);
      await settled([actingAs(operator, () => redriveErasures(system))]);
    }
    // The sweep's bound: its first run once every request left (each due by now: its schedule
    // fired) is overdue by the sweep's margin, an hour later at most; what it stored let finish.
    const overdueAt = Date.now() + SWEEP_MARGIN_MS;
    await runUntil(
      clock,
      () => (sweptAt >= overdueAt && quiet()) || broken(),
      ERASURE_SWEEP_EVERY_MS + RUN_LIMIT_MS,
    );
    if (broken()) throw new RunBroken();
    // The history eraser's bound: a few of its runs, a minute apart.
    const until = Date.now() + 3 * ERASER_EVERY_MS + 1000;
    await runUntil(clock, () => (Date.now() >= until && quiet()) || broken(), RUN_LIMIT_MS);
    if (broken()) throw new RunBroken();
    clearInterval(poll);
    clearInterval(erase);
    clearInterval(sweep);
    await settled([checkQuiescence(system, observations)]);
  } catch (error) {
    if (!(error instanceof RunBroken)) {
      observations.violate(
        'the run ends',
        `${(error as Error).message}: ${JSON.stringify({
          background: background.size,
          projector: system.projectorStream.state(),
          publisher: system.publisherStream.state(),
          bus: system.bus.counters(),
          operatorBusy: operatorBusy,
          unsettled: [...unsettled],
          underWay: Object.fromEntries(clients.underWay),
          sandboxes: system.functions.command.invocations,
          timers: Object.values(
            (clock as unknown as { timers?: Record<string, { callAt: number; interval?: number }> })
              .timers ?? {},
          )
            .map((timer) => `${timer.callAt - started}${timer.interval ? 'i' : ''}`)
            .slice(0, 20),
          now: clock.now - started,
        })}`,
      );
    }
  } finally {
    clearInterval(poll);
    clearInterval(erase);
    clearInterval(sweep);
    clearInterval(follow);
    system.scheduler.stop();
    silenced();
    for (const fn of Object.values(system.functions)) fn.killAll();
    operator.kill();
    releaseHung();
    system.aws.uninstall();
    clock.uninstall();
    undoRandom();
  }
  return {
    violations: observations.violations,
    counts: {
      commands: observations.attempts.length,
      requests: system.aws.requests.total,
      faulted: system.aws.requests.faulted,
      projectorBatches: system.projectorStream.delivered.batches,
      scheduledErasures: system.scheduler.counters().delivered,
      lostSchedules: [...system.firingsLost.values()].filter(Boolean).length,
      completeReceipts: observations.completeReceipts,
      erasedUsers: scanTable(system, TABLES.events).filter(
        (item) => item.EventType === 'USER_ERASED',
      ).length,
      virtualSeconds: Math.round((clock.now - started) / 1000),
    },
    operations,
  };
};

/** A promise was broken: the run stops where it was, with what it found. */
class RunBroken extends Error {}

/** What an operator runs at a terminal: npm run projections, rebuild, redrive. */
const operate = async (system: System, action: OperatorAction) => {
  const { projections, stage, repairingRestorer } = system.operator;
  switch (action.kind) {
    case 'build':
      await deployVersionTables(system);
      return projections.build(action.version);
    case 'switch':
      return projections.switchTo(action.version);
    case 'drop':
      return projections.drop(action.version, { deleteTables: action.deleteTables });
    case 'rebuild':
      return rebuildReadModels(
        new DynamoEventScan(stage.client, TABLES.events, { segments: 2, usersInFlight: 2 }),
        repairingRestorer(),
        stage.keys,
      );
    case 'redrive': {
      // The users of each batch given up on, rebuilt from the event store in every kept version
      // (what `npm run redrive` does with the failure queue's messages).
      const givenUp = system.projectorStream.givenUp.splice(0);
      const users = [
        ...new Set(
          givenUp.flatMap((batch) =>
            batch.records.map((r) => r.dynamodb?.Keys?.AggregateID?.S as string),
          ),
        ),
      ];
      const history = new DynamoUserEvents(stage.client, TABLES.events);
      return rebuildReadModels(
        {
          scanUsers: async (onUser) => {
            for (const userId of users) await onUser(await history.history(userId));
          },
        },
        repairingRestorer(),
        stage.keys,
      );
    }
  }
};

/** The publisher's batches given up on, published again (what `npm run replay-events` does). */
const republish = async (system: System) => {
  for (const batch of system.publisherStream.givenUp.splice(0)) {
    await system.functions.publisher.invoke({ Records: batch.records });
  }
};

/**
 * What an operator does with the erasure failure queue (docs/personal-data.md): each firing that
 * Lambda gave up on is invoked again, which is always safe.
 */
const redriveErasures = async (system: System) => {
  const letters = system.scheduler.deadLetters();
  const from = erasuresRedriven.get(system) ?? 0;
  erasuresRedriven.set(system, letters.length);
  for (const { input } of letters.slice(from)) {
    await system.functions.scheduledErasure.invoke(input);
  }
};
const erasuresRedriven = new WeakMap<System, number>();

/** A stage whose version 2 tables were deleted deploys them again before building it. */
const deployVersionTables = async (system: System) => {
  for (const base of [TABLES.detail, TABLES.history]) {
    const name = `${base}-v2`;
    const exists = (
      system.dynamodb.execute('ListTables', {}) as { TableNames: string[] }
    ).TableNames.includes(name);
    if (!exists) {
      const description = system.dynamodb.execute('DescribeTable', { TableName: base }) as {
        Table: Record<string, unknown>;
      };
      const { KeySchema, AttributeDefinitions, GlobalSecondaryIndexes, StreamSpecification } =
        description.Table as Record<string, unknown>;
      system.dynamodb.execute('CreateTable', {
        TableName: name,
        KeySchema,
        AttributeDefinitions,
        ...(GlobalSecondaryIndexes
          ? {
              GlobalSecondaryIndexes: (
                GlobalSecondaryIndexes as {
                  IndexName: string;
                  KeySchema: unknown;
                  Projection: unknown;
                }[]
              ).map(({ IndexName, KeySchema: keys, Projection }) => ({
                IndexName,
                KeySchema: keys,
                Projection,
              })),
            }
          : {}),
        ...(StreamSpecification ? { StreamSpecification } : {}),
        BillingMode: 'PAY_PER_REQUEST',
      });
    }
  }
};

/** The scripts' progress bars and the functions' logs, kept out of the test's output. */
const silenceOutput = () => {
  const writes = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  return () => {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  };
};
