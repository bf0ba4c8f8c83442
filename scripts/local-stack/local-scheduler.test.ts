import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { createLocalScheduler, type LocalScheduler } from './local-scheduler';

const DAY = 24 * 60 * 60 * 1000;
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:users-command-local-eraser';

/** An at() expression `ms` after the scheduler's clock, in whole seconds. */
const atIn = (scheduler: LocalScheduler, ms: number) =>
  `at(${new Date(Math.ceil((scheduler.now() + ms) / 1000) * 1000).toISOString().slice(0, 19)})`;

const request = (scheduler: LocalScheduler, ms: number, Name = 'erase-1') => ({
  Name,
  GroupName: 'erasures-local',
  ScheduleExpression: atIn(scheduler, ms),
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' as const },
  ActionAfterCompletion: 'DELETE' as const,
  ClientToken: Name,
  Target: {
    Arn: FUNCTION_ARN,
    RoleArn: 'arn:aws:iam::000000000000:role/scheduler',
    Input: JSON.stringify({
      user_id: 'u1',
      scheduled_time: '<aws.scheduler.scheduled-time>',
      execution_id: '<aws.scheduler.execution-id>',
      attempt: '<aws.scheduler.attempt-number>',
    }),
    RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
    DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:erasure-failures' },
  },
});

/** The SDK's own client, its requests answered by the scheduler (no server): the real shapes. */
const sdkClient = (scheduler: LocalScheduler) =>
  new SchedulerClient({
    region: 'us-east-1',
    endpoint: 'http://localhost',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (sent: { method: string; path: string; query?: object; body?: Uint8Array }) => {
        const query = new URLSearchParams(sent.query as Record<string, string>).toString();
        const url = `${sent.path}${query ? `?${query}` : ''}`;
        const text = sent.body ? new TextDecoder().decode(sent.body) : '';
        const answer = await scheduler.answer(sent.method, url, text);
        if (!answer) throw new Error(`not the scheduler's: ${url}`);
        const { status, headers = {}, body } = answer;
        return { response: { statusCode: status, headers, body: Buffer.from(body) } };
      },
    },
  });

const recording = (options?: Parameters<typeof createLocalScheduler>[1]) => {
  const delivered: { functionName: string; input: Record<string, unknown> }[] = [];
  const scheduler = createLocalScheduler(async (functionName, input) => {
    delivered.push({ functionName, input: input as Record<string, unknown> });
  }, options);
  return { scheduler, delivered };
};

const schedulers: LocalScheduler[] = [];
const track = <T extends { scheduler: LocalScheduler }>(made: T) => {
  schedulers.push(made.scheduler);
  return made;
};
afterEach(() => {
  for (const scheduler of schedulers.splice(0)) scheduler.stop();
});

const create = (scheduler: LocalScheduler, input: object) =>
  scheduler.answer('POST', `/schedules/${(input as { Name: string }).Name}`, JSON.stringify(input));

describe('the local EventBridge Scheduler', () => {
  it('creates, gets and deletes a schedule as the SDK asks, answering its errors as AWS does', async () => {
    const { scheduler } = track(recording());
    const client = sdkClient(scheduler);
    const input = request(scheduler, 30 * DAY);
    const { ScheduleArn } = await client.send(new CreateScheduleCommand(input));
    expect(ScheduleArn).toBe(
      'arn:aws:scheduler:us-east-1:000000000000:schedule/erasures-local/erase-1',
    );
    await expect(client.send(new CreateScheduleCommand(input))).rejects.toBeInstanceOf(
      ConflictException,
    );
    const got = await client.send(
      new GetScheduleCommand({ Name: 'erase-1', GroupName: 'erasures-local' }),
    );
    expect(got).toMatchObject({
      Arn: ScheduleArn,
      Name: 'erase-1',
      GroupName: 'erasures-local',
      ScheduleExpression: input.ScheduleExpression,
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      Target: input.Target,
      CreationDate: expect.any(Date),
    });
    await client.send(new DeleteScheduleCommand({ Name: 'erase-1', GroupName: 'erasures-local' }));
    await expect(
      client.send(new DeleteScheduleCommand({ Name: 'erase-1', GroupName: 'erasures-local' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new GetScheduleCommand({ Name: 'erase-1', GroupName: 'erasures-local' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    // Another group's schedule of the same name is another schedule.
    await expect(client.send(new GetScheduleCommand({ Name: 'erase-1' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    expect(scheduler.counters()).toMatchObject({ created: 1, deleted: 1, fired: 0 });
  });

  it.each<[string, (input: CreateScheduleCommandInput) => CreateScheduleCommandInput]>([
    ['a recurring expression', (input) => ({ ...input, ScheduleExpression: 'rate(1 day)' })],
    [
      'a date that is not one',
      (input) => ({ ...input, ScheduleExpression: 'at(2026-02-30T12:00:00)' }),
    ],
    ['another time zone', (input) => ({ ...input, ScheduleExpressionTimezone: 'Europe/Paris' })],
    ['no target', ({ Target: _, ...input }) => input as CreateScheduleCommandInput],
    [
      'a target that is no function',
      (input) => ({
        ...input,
        Target: { ...input.Target, Arn: 'arn:aws:sqs:us-east-1:000000000000:q' } as never,
      }),
    ],
    [
      'an Input that is not JSON',
      (input) => ({ ...input, Target: { ...input.Target, Input: '{' } as never }),
    ],
    [
      'too many retries',
      (input) => ({
        ...input,
        Target: { ...input.Target, RetryPolicy: { MaximumRetryAttempts: 186 } } as never,
      }),
    ],
    [
      'no time window',
      ({ FlexibleTimeWindow: _, ...input }) => input as CreateScheduleCommandInput,
    ],
  ])('refuses %s (ValidationException)', async (_, change) => {
    const { scheduler } = track(recording());
    await expect(
      sdkClient(scheduler).send(new CreateScheduleCommand(change(request(scheduler, DAY)))),
    ).rejects.toBeInstanceOf(ValidationException);
    expect(scheduler.counters().created).toBe(0);
  });

  it('refuses a name AWS would not take, and an operation not played locally', async () => {
    const { scheduler } = track(recording());
    expect(await create(scheduler, { ...request(scheduler, DAY), Name: 'bad name' })).toEqual({
      status: 400,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationException' },
      body: JSON.stringify({ Message: 'Name and GroupName must be 1 to 64 of [0-9a-zA-Z-_.]' }),
    });
    expect(await scheduler.answer('PUT', '/schedules/erase-1', '{}')).toMatchObject({
      status: 400,
    });
    expect(scheduler.counters().created).toBe(0);
  });

  it("leaves other services' paths alone", async () => {
    const { scheduler } = track(recording());
    expect(await scheduler.answer('POST', '/', '{}')).toBeUndefined();
    expect(await scheduler.answer('GET', '/local/bus/counters', '')).toBeUndefined();
  });

  it('fires at its time once the clock is moved on, not before, with its context attributes filled in', async () => {
    const { scheduler, delivered } = track(recording());
    const input = request(scheduler, 30 * DAY);
    await create(scheduler, input);
    await scheduler.advance(29 * DAY);
    expect(delivered).toEqual([]);
    await scheduler.advance(DAY + 1000);
    const time = `${input.ScheduleExpression.slice(3, -1)}Z`;
    expect(delivered).toEqual([
      {
        functionName: 'users-command-local-eraser',
        input: {
          user_id: 'u1',
          scheduled_time: time,
          execution_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          attempt: '1',
        },
      },
    ]);
    // Deleted once fired (ActionAfterCompletion DELETE).
    expect(scheduler.schedules()).toEqual([]);
    expect(scheduler.counters()).toMatchObject({
      fired: 1,
      delivered: 1,
      completed: 1,
      deleted: 0,
    });
    await scheduler.advance(DAY);
    expect(delivered).toHaveLength(1);
  });

  it('fires on its own clock too, once the time is reached', async () => {
    const { scheduler, delivered } = track(recording({ tickMs: 20 }));
    await create(scheduler, {
      ...request(scheduler, 0),
      ScheduleExpression: atIn(scheduler, -1000),
    });
    while (delivered.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(delivered).toHaveLength(1);
  });

  it('keeps a schedule that fired when asked to (ActionAfterCompletion NONE), and fires it once only', async () => {
    const { scheduler, delivered } = track(recording());
    await create(scheduler, { ...request(scheduler, DAY), ActionAfterCompletion: 'NONE' });
    await scheduler.advance(2 * DAY);
    await scheduler.advance(2 * DAY);
    expect(delivered).toHaveLength(1);
    expect(scheduler.schedules()).toEqual([
      expect.objectContaining({ group: 'erasures-local', name: 'erase-1', fired: true }),
    ]);
    expect(
      await scheduler.answer('GET', '/schedules/erase-1?groupName=erasures-local', ''),
    ).toMatchObject({ status: 200 });
  });

  it('retries a failing delivery, attempt by attempt, then dead-letters it and deletes the schedule', async () => {
    const attempts: unknown[] = [];
    const scheduler = createLocalScheduler(
      async (_, input) => {
        attempts.push((input as { attempt: string }).attempt);
        throw new Error('down');
      },
      { retryPauseMs: 5, maxRetryAttempts: 3 },
    );
    schedulers.push(scheduler);
    const input = request(scheduler, DAY);
    await create(scheduler, {
      ...input,
      Target: { ...input.Target, RetryPolicy: { MaximumRetryAttempts: 2 } },
    });
    await create(scheduler, request(scheduler, DAY, 'erase-2'));
    await scheduler.advance(DAY + 1000);
    // 2 retries as its policy says; 185 capped at 3 locally.
    expect(attempts.sort()).toEqual(['1', '1', '2', '2', '3', '3', '4']);
    expect(scheduler.counters()).toMatchObject({ retried: 5, deadLettered: 2, delivered: 0 });
    expect(scheduler.deadLetters()).toEqual([
      expect.objectContaining({
        name: 'erase-1',
        input: expect.objectContaining({ attempt: '3' }),
      }),
      expect.objectContaining({
        name: 'erase-2',
        input: expect.objectContaining({ attempt: '4' }),
      }),
    ]);
    expect(scheduler.schedules()).toEqual([]);
  });

  it('delivers every firing twice on demand (at least once), with the same execution id', async () => {
    const { scheduler, delivered } = track(recording());
    scheduler.setFaults({ duplicate: true });
    await create(scheduler, request(scheduler, DAY));
    await scheduler.advance(DAY + 1000);
    expect(delivered).toHaveLength(2);
    expect(delivered[0]).toEqual(delivered[1]);
    expect(scheduler.counters()).toMatchObject({ fired: 1, delivered: 2, duplicated: 1 });
  });

  it('fires early on demand, within the minute a schedule is set for, as AWS may', async () => {
    const { scheduler, delivered } = track(recording());
    scheduler.setFaults({ earlyMs: 59_000 });
    await create(scheduler, request(scheduler, DAY));
    await scheduler.advance(DAY - 60_000);
    expect(delivered).toEqual([]);
    await scheduler.advance(2_000);
    expect(delivered).toHaveLength(1);
  });

  it('delivers late on demand: a firing still arrives after its schedule was deleted', async () => {
    const { scheduler, delivered } = track(recording());
    scheduler.setFaults({ lateMs: 200 });
    await create(scheduler, request(scheduler, DAY));
    const started = Date.now();
    const advanced = scheduler.advance(DAY + 1000);
    await scheduler.answer('DELETE', '/schedules/erase-1?groupName=erasures-local', '');
    expect(delivered).toEqual([]);
    await advanced;
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(delivered).toHaveLength(1);
    expect(scheduler.counters()).toMatchObject({ deleted: 1, completed: 0, delivered: 1 });
  });

  it('delivers again what a schedule fired with, once it is gone, on demand', async () => {
    const { scheduler, delivered } = track(recording());
    await create(scheduler, request(scheduler, DAY));
    await scheduler.advance(DAY + 1000);
    await scheduler.refire('erasures-local', 'erase-1');
    expect(delivered).toHaveLength(2);
    expect(delivered[1]).toEqual(delivered[0]);
    await expect(scheduler.refire('erasures-local', 'never')).rejects.toThrow('never fired');
  });

  it('is driven over its local controls too', async () => {
    const { scheduler, delivered } = track(recording());
    await create(scheduler, request(scheduler, DAY));
    const body = (answer: { body: string } | undefined) => JSON.parse(answer?.body ?? 'null');
    expect(body(await scheduler.answer('GET', '/local/scheduler/schedules', ''))).toEqual([
      {
        group: 'erasures-local',
        name: 'erase-1',
        time: expect.stringMatching(/Z$/),
        functionName: 'users-command-local-eraser',
        state: 'ENABLED',
        fired: false,
      },
    ]);
    await scheduler.answer('POST', '/local/scheduler/faults', '{"duplicate":true}');
    const advanced = await scheduler.answer('POST', '/local/scheduler/advance', '{"ms":172800000}');
    expect(Date.parse(body(advanced).now)).toBeGreaterThan(Date.now() + 2 * DAY - 60_000);
    expect(delivered).toHaveLength(2);
    await scheduler.answer('POST', '/local/scheduler/faults', '{}');
    const refire = '{"group":"erasures-local","name":"erase-1"}';
    expect(await scheduler.answer('POST', '/local/scheduler/refire', refire)).toMatchObject({
      status: 200,
    });
    expect(body(await scheduler.answer('GET', '/local/scheduler/counters', ''))).toMatchObject({
      created: 1,
      fired: 1,
      delivered: 3,
      duplicated: 2,
    });
    expect(await scheduler.answer('POST', '/local/scheduler/advance', '{"ms":-1}')).toMatchObject({
      status: 400,
    });
  });

  it('keeps its schedules and its clock in a file, across a restart', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'local-scheduler-'));
    try {
      const file = join(folder, 'scheduler.json');
      const first = track(recording({ file }));
      await create(first.scheduler, request(first.scheduler, 30 * DAY));
      await first.scheduler.advance(10 * DAY);
      first.scheduler.stop();
      const second = track(recording({ file }));
      expect(second.scheduler.now()).toBeGreaterThan(Date.now() + 10 * DAY - 60_000);
      expect(second.scheduler.schedules()).toEqual([expect.objectContaining({ name: 'erase-1' })]);
      await second.scheduler.advance(20 * DAY + 1000);
      expect(first.delivered).toEqual([]);
      expect(second.delivered).toHaveLength(1);
      // Deleted once fired, in the file too.
      expect(track(recording({ file })).scheduler.schedules()).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('gives up retries once stopped and leaves no timer behind', async () => {
    const made = [jest.spyOn(global, 'setInterval'), jest.spyOn(global, 'setTimeout')];
    const cleared = [jest.spyOn(global, 'clearInterval'), jest.spyOn(global, 'clearTimeout')];
    try {
      let attempts = 0;
      const scheduler = createLocalScheduler(
        async () => {
          attempts++;
          throw new Error('gone');
        },
        { retryPauseMs: 60_000 },
      );
      await create(scheduler, request(scheduler, DAY));
      const advanced = scheduler.advance(DAY + 1000);
      // Stopped while it pauses before its first retry.
      while (scheduler.counters().retried === 0) await new Promise(setImmediate);
      scheduler.stop();
      await advanced;
      expect(attempts).toBe(1);
      expect(scheduler.counters()).toMatchObject({ retried: 1, deadLettered: 0, inFlight: 0 });
      // Its clock's timer and the pause before the retry: neither held the process, both gone.
      const timers = made.flatMap((spy) => spy.mock.results.map((result) => result.value));
      const clearedTimers = cleared.flatMap((spy) => spy.mock.calls.map(([timer]) => timer));
      expect(timers).toHaveLength(2);
      for (const timer of timers) {
        expect(timer.hasRef()).toBe(false);
        expect(clearedTimers).toContain(timer);
      }
    } finally {
      for (const spy of [...made, ...cleared]) spy.mockRestore();
    }
  });
});
