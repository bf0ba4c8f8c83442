import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { type LocalAws, startLocalAws } from '../../../../scripts/local-stack/local-aws';
import {
  COMMAND_TABLES,
  type CommandTables,
  sendCommand,
  storedEventTypes,
  testEventStore,
} from '../../../../test/support/command-store';
import { createTestTables, deleteTestTables } from '../../../../test/support/integration';
import { createEraser } from '../handlers/scheduled-erasure/scheduled-erasure';
import type { DynamoEventStore } from '../infrastructure/dynamo-event-store';
import { EventBridgeErasureScheduler } from '../infrastructure/eventbridge-erasure-scheduler';
import { scheduleName } from './erasure-schedule';
import { ErasureNotScheduled, ErasureSchedulingStore } from './erasure-scheduling-store';
import type { CommandDependencies } from './execute-command';
import { VersionTakenError } from './ports';

const PORT = Number(process.env.TEST_SCHEDULER_PORT ?? 8107);
const GROUP = 'users-test-erasures';
const DAY_MS = 24 * 60 * 60 * 1000;
let tables: CommandTables;
let localAws: LocalAws;
let store: DynamoEventStore;
/** The scheduled erasures the local scheduler fired, each with what it answered. */
const fired: unknown[] = [];

const schedulerOn = (port: number) =>
  new EventBridgeErasureScheduler(
    {
      region: 'us-east-1',
      endpoint: `http://localhost:${port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    },
    {
      group: GROUP,
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:scheduledErasure',
      roleArn: 'arn:aws:iam::000000000000:role/erasure-scheduler',
      failureQueueArn: 'arn:aws:sqs:us-east-1:000000000000:erasure-failures',
    },
  );

/** How often a scheduling store was told a schedule is unconfirmed. */
let unconfirmedSchedules = 0;

const depsWith = (scheduler: EventBridgeErasureScheduler): CommandDependencies => ({
  store: new ErasureSchedulingStore(store, scheduler, () => unconfirmedSchedules++),
  // The scheduler's clock, which tests make pass: what is asked now falls due after it.
  now: () => new Date(localAws.scheduler.now()),
  newEventId: randomUUID,
  retryPolicy: { maxAttempts: 50, baseMs: 3, capExponent: 0 },
  erasureGraceSeconds: 30 * 24 * 60 * 60,
});

beforeAll(async () => {
  tables = await createTestTables(COMMAND_TABLES);
  store = testEventStore(tables);
  // The schedules fire the scheduled erasure itself, on the same store, at the scheduler's time.
  const erase = createEraser({
    store,
    now: () => new Date(localAws.scheduler.now()),
    newEventId: randomUUID,
  });
  localAws = await startLocalAws(PORT, {
    deliver: async (_, input) => {
      fired.push(await erase(input));
    },
  });
});
afterAll(async () => {
  await localAws?.stop();
  await deleteTestTables(tables);
});

const send = sendCommand;

const eventTypes = (userId: string) => storedEventTypes(tables.EventsTable, userId);

const createdUser = async (deps: CommandDependencies) => {
  const userId = `sched-${randomUUID()}`;
  await send(deps, userId, 'USER_CREATED', { name: 'Sched Canary', email: 'sched@example.com' });
  return userId;
};

const schedulesOf = (userId: string) =>
  localAws.scheduler
    .schedules()
    .filter(({ name }) => name.startsWith(scheduleName({ userId, eraseAfter: '' }).slice(0, 38)));

describe('an erasure request stored with its schedule', () => {
  it('is scheduled before it is stored, at its due time; a cancellation deletes it', async () => {
    const deps = depsWith(schedulerOn(PORT));
    const userId = await createdUser(deps);
    const requested = await send(deps, userId, 'USER_ERASURE_REQUESTED');
    if (requested.kind !== 'stored') throw new Error(JSON.stringify(requested));
    const due = new Date(Date.parse(requested.result.occurredAt as string) + 30 * DAY_MS);
    expect(schedulesOf(userId)).toEqual([
      expect.objectContaining({
        group: GROUP,
        name: scheduleName({ userId, eraseAfter: due.toISOString() }),
        functionName: 'scheduledErasure',
      }),
    ]);
    expect((await send(deps, userId, 'USER_ERASURE_CANCELLED')).kind).toBe('stored');
    expect(schedulesOf(userId)).toEqual([]);
  });

  it('leaves no schedule behind a user who asks and cancels over and over (the account quota)', async () => {
    const deps = depsWith(schedulerOn(PORT));
    const userId = await createdUser(deps);
    for (let i = 0; i < 5; i++) {
      expect((await send(deps, userId, 'USER_ERASURE_REQUESTED')).kind).toBe('stored');
      await localAws.scheduler.advance(60_000);
      expect((await send(deps, userId, 'USER_ERASURE_CANCELLED')).kind).toBe('stored');
    }
    expect(schedulesOf(userId)).toEqual([]);
  });

  it('is cancelled all the same when its schedule cannot be deleted: it fires for nothing', async () => {
    const userId = await createdUser(depsWith(schedulerOn(PORT)));
    expect((await send(depsWith(schedulerOn(PORT)), userId, 'USER_ERASURE_REQUESTED')).kind).toBe(
      'stored',
    );
    // The scheduler cannot be reached for the deletion.
    const cancelled = await send(
      depsWith(schedulerOn(PORT + 13)),
      userId,
      'USER_ERASURE_CANCELLED',
    );
    expect(cancelled.kind).toBe('stored');
    expect(schedulesOf(userId)).toHaveLength(1);
    await localAws.scheduler.advance(31 * DAY_MS);
    expect(await eventTypes(userId)).toEqual([
      'USER_CREATED',
      'USER_ERASURE_REQUESTED',
      'USER_ERASURE_CANCELLED',
    ]);
  });

  it("is carried out when a request made again in the same millisecond finds the first one's schedule", async () => {
    // One clock reading for every command: the second request falls due when the first did.
    const frozen = new Date(localAws.scheduler.now());
    const deps = { ...depsWith(schedulerOn(PORT)), now: () => frozen };
    const userId = await createdUser(deps);
    expect((await send(deps, userId, 'USER_ERASURE_REQUESTED')).kind).toBe('stored');
    expect((await send(deps, userId, 'USER_ERASURE_CANCELLED')).kind).toBe('stored');
    expect((await send(deps, userId, 'USER_ERASURE_REQUESTED')).kind).toBe('stored');
    expect(schedulesOf(userId)).toHaveLength(1);
    await localAws.scheduler.advance(31 * DAY_MS);
    expect((await eventTypes(userId)).filter((type) => type === 'USER_ERASED')).toHaveLength(1);
    expect((await eventTypes(userId)).at(-1)).toBe('USER_ERASED');
  });

  it('is not stored when its schedule cannot be made: the client is told to try again', async () => {
    const deps = depsWith(schedulerOn(PORT + 13));
    const userId = await createdUser(depsWith(schedulerOn(PORT)));
    const failure = await send(deps, userId, 'USER_ERASURE_REQUESTED').catch((error) => error);
    expect(failure).toBeInstanceOf(ErasureNotScheduled);
    expect(await eventTypes(userId)).toEqual(['USER_CREATED']);
  });

  it('is carried out once when time passes, through concurrent requests, cancellations and repeated firings', async () => {
    const deps = depsWith(schedulerOn(PORT));
    const [kept, called] = [await createdUser(deps), await createdUser(deps)];
    // Requests racing on each user: one is stored, the others refused; every one made a schedule.
    const outcomes = await Promise.all(
      [kept, kept, kept, called, called].map((userId) =>
        send(deps, userId, 'USER_ERASURE_REQUESTED'),
      ),
    );
    expect(outcomes.filter((o) => o.kind === 'stored')).toHaveLength(2);
    expect(
      outcomes.filter((o) => o.kind === 'refused' && o.refusal.code === 'ERASURE_PENDING'),
    ).toHaveLength(3);
    expect((await send(deps, called, 'USER_ERASURE_CANCELLED')).kind).toBe('stored');
    localAws.scheduler.setFaults({ duplicate: true });
    fired.length = 0;
    await localAws.scheduler.advance(31 * DAY_MS);
    localAws.scheduler.setFaults({});
    expect(fired.length).toBeGreaterThanOrEqual(2);
    expect(await eventTypes(kept)).toEqual([
      'USER_CREATED',
      'USER_ERASURE_REQUESTED',
      'USER_ERASED',
    ]);
    expect(await eventTypes(called)).toEqual([
      'USER_CREATED',
      'USER_ERASURE_REQUESTED',
      'USER_ERASURE_CANCELLED',
    ]);
  });

  it('is not taken as scheduled on a ConflictException alone: the schedule is looked up, and made again when absent', async () => {
    // In front of the local scheduler: the first `conflicts` CreateSchedule calls are answered
    // ConflictException without reaching it (a conflict that is not "it exists"); all else passes.
    // With `deniedLookups`, GetSchedule is answered AccessDenied (a grant not yet propagated);
    // with `stalledLookups`, never answered (throttled, the SDK backing off for seconds); once
    // the conflicts are spent, `stalledCreates` CreateSchedule calls are never answered either.
    let conflicts = 0;
    let deniedLookups = 0;
    let stalledLookups = 0;
    let stalledCreates = 0;
    const proxy: Server = createServer((incoming, answer) => {
      if (incoming.method === 'GET' && stalledLookups > 0) {
        stalledLookups--;
        return;
      }
      if (incoming.method === 'POST' && conflicts === 0 && stalledCreates > 0) {
        stalledCreates--;
        return;
      }
      if (incoming.method === 'POST' && conflicts > 0) {
        conflicts--;
        answer.writeHead(409, { 'x-amzn-errortype': 'ConflictException' });
        answer.end(JSON.stringify({ Message: 'a conflicting operation is in progress' }));
        return;
      }
      if (incoming.method === 'GET' && deniedLookups > 0) {
        deniedLookups--;
        answer.writeHead(403, { 'x-amzn-errortype': 'AccessDeniedException' });
        answer.end(JSON.stringify({ Message: 'not authorized to perform scheduler:GetSchedule' }));
        return;
      }
      const onward = request(
        { port: PORT, path: incoming.url, method: incoming.method, headers: incoming.headers },
        (reply) => {
          answer.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(answer);
        },
      );
      incoming.pipe(onward);
    });
    await new Promise<void>((resolve) => proxy.listen(PORT + 22, '127.0.0.1', resolve));
    try {
      const deps = depsWith(schedulerOn(PORT + 22));
      const userId = await createdUser(deps);
      // Twice in a row: found missing each time, made on the third try.
      conflicts = 2;
      expect((await send(deps, userId, 'USER_ERASURE_REQUESTED')).kind).toBe('stored');
      expect(schedulesOf(userId)).toHaveLength(1);

      // Conflicts on every try: the request is not stored (503, try again).
      const other = await createdUser(deps);
      conflicts = 3;
      const failure = await send(deps, other, 'USER_ERASURE_REQUESTED').catch((error) => error);
      expect(failure).toBeInstanceOf(ErasureNotScheduled);
      expect(await eventTypes(other)).toEqual(['USER_CREATED']);
      expect(schedulesOf(other)).toEqual([]);

      // A lookup that fails otherwise: the create is tried again, and made.
      const madeLater = await createdUser(deps);
      conflicts = 1;
      deniedLookups = 1;
      expect((await send(deps, madeLater, 'USER_ERASURE_REQUESTED')).kind).toBe('stored');
      expect(schedulesOf(madeLater)).toHaveLength(1);

      // Every try conflicting and every lookup failing: the conflict is taken at its word (the
      // sweep covers a miss), the request stored, not refused, and the store told.
      const unconfirmed = await createdUser(deps);
      conflicts = 3;
      deniedLookups = 3;
      expect((await send(deps, unconfirmed, 'USER_ERASURE_REQUESTED')).kind).toBe('stored');
      expect([conflicts, deniedLookups, unconfirmedSchedules]).toEqual([0, 0, 1]);

      // A conflict, then a lookup still unanswered when the command's time for its schedule is up
      // (2.8 s in, of a 9 s deadline): taken at its word, stored in time, not refused.
      const cutOff = await createdUser(deps);
      conflicts = 1;
      stalledLookups = 1;
      const started = Date.now();
      const stored = await send(deps, cutOff, 'USER_ERASURE_REQUESTED', {}, started + 9_000);
      expect(stored.kind).toBe('stored');
      expect(Date.now() - started).toBeLessThan(9_000);
      expect([conflicts, stalledLookups, unconfirmedSchedules]).toEqual([0, 0, 2]);

      // A conflict and a failed lookup, then the create made again still unanswered when the time
      // is up: nothing settled the conflict, so it is taken at its word as well.
      const retryCutOff = await createdUser(deps);
      conflicts = 1;
      deniedLookups = 1;
      stalledCreates = 1;
      const retried = await send(
        deps,
        retryCutOff,
        'USER_ERASURE_REQUESTED',
        {},
        Date.now() + 9_000,
      );
      expect(retried.kind).toBe('stored');
      expect([conflicts, deniedLookups, stalledCreates, unconfirmedSchedules]).toEqual([
        0, 0, 0, 3,
      ]);
      expect([schedulesOf(cutOff), schedulesOf(retryCutOff)]).toEqual([[], []]);

      // A failed lookup, then one that finds no schedule: the conflict no longer stands, so the
      // tries running out refuse the request (503), as when every lookup finds none.
      const settled = await createdUser(deps);
      conflicts = 3;
      deniedLookups = 1;
      const refused = await send(deps, settled, 'USER_ERASURE_REQUESTED').catch((error) => error);
      expect(refused).toBeInstanceOf(ErasureNotScheduled);
      expect([conflicts, deniedLookups, unconfirmedSchedules]).toEqual([0, 0, 3]);
      expect(await eventTypes(settled)).toEqual(['USER_CREATED']);

      // Taken unconfirmed, then the write loses its version to another writer and is tried again
      // (taken unconfirmed again, stored): told once, for the one request stored.
      const raced = await createdUser(deps);
      let racesLeft = 1;
      const losingOnce = Object.create(store, {
        appendEvents: {
          value: async (request: Parameters<DynamoEventStore['appendEvents']>[0]) => {
            if (racesLeft-- > 0) throw new VersionTakenError('another writer took the version');
            return store.appendEvents(request);
          },
        },
      }) as DynamoEventStore;
      const racing = {
        ...deps,
        store: new ErasureSchedulingStore(
          losingOnce,
          schedulerOn(PORT + 22),
          () => unconfirmedSchedules++,
        ),
      };
      conflicts = 6;
      deniedLookups = 6;
      expect((await send(racing, raced, 'USER_ERASURE_REQUESTED')).kind).toBe('stored');
      expect([conflicts, deniedLookups, unconfirmedSchedules]).toEqual([0, 0, 4]);

      fired.length = 0;
      await localAws.scheduler.advance(31 * DAY_MS);
      expect(await eventTypes(userId)).toEqual([
        'USER_CREATED',
        'USER_ERASURE_REQUESTED',
        'USER_ERASED',
      ]);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it("keeps to the command's deadline when the scheduler stalls: nothing stored, or stored and answered", async () => {
    // A scheduler that takes every request and never answers.
    const stalled: Server = createServer(() => {});
    await new Promise<void>((resolve) => stalled.listen(PORT + 21, '127.0.0.1', resolve));
    try {
      const deps = depsWith(schedulerOn(PORT + 21));
      const userId = await createdUser(deps);
      let started = Date.now();
      const failure = await send(deps, userId, 'USER_ERASURE_REQUESTED', {}, started + 7_000).catch(
        (error) => error,
      );
      expect(failure).toBeInstanceOf(ErasureNotScheduled);
      // Given up 6.5 s before the deadline, for the write it would have needed.
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(await eventTypes(userId)).toEqual(['USER_CREATED']);

      // Too little time left for the schedule and the write: nothing is sent at all.
      const late = await send(
        depsWith(schedulerOn(PORT)),
        userId,
        'USER_ERASURE_REQUESTED',
        {},
        Date.now() + 6_000,
      ).catch((error) => error);
      expect(late).toBeInstanceOf(ErasureNotScheduled);
      expect(schedulesOf(userId)).toEqual([]);

      // A cancellation is stored first; its schedule's deletion is given up after 2 s (it then
      // fires for nothing), well before the answer is due.
      expect((await send(depsWith(schedulerOn(PORT)), userId, 'USER_ERASURE_REQUESTED')).kind).toBe(
        'stored',
      );
      started = Date.now();
      const cancelled = await send(deps, userId, 'USER_ERASURE_CANCELLED', {}, started + 9_000);
      expect(cancelled.kind).toBe('stored');
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(schedulesOf(userId)).toHaveLength(1);
    } finally {
      stalled.closeAllConnections();
      stalled.close();
    }
  });
});
