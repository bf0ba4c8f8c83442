import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BusValidationError, createLocalBus, FunctionError } from './local-bus';

const entry = (detail: object, bus = 'users-local') => ({
  EventBusName: bus,
  Source: 'users',
  DetailType: 'user.registered',
  Detail: JSON.stringify(detail),
});

const busDelivering = (
  invoke: (name: string, event: unknown) => Promise<void>,
  options?: Parameters<typeof createLocalBus>[1],
) => {
  const bus = createLocalBus(invoke, options);
  bus.setRules([
    { bus: 'users-local', functionName: 'stats', pattern: { source: ['users'] } },
    {
      bus: 'users-local',
      functionName: 'erasures',
      pattern: { 'detail-type': ['user.erased'] },
      maximumRetryAttempts: 1,
    },
  ]);
  return bus;
};

describe('the local event bus', () => {
  it('answers each entry, then delivers it to every function whose rule matches', async () => {
    const delivered: [string, unknown][] = [];
    const bus = busDelivering(async (name, event) => {
      delivered.push([name, event]);
    });
    const answer = bus.putEvents({ Entries: [entry({ n: 1 }), entry({ n: 2 })] });
    expect(answer).toEqual({
      FailedEntryCount: 0,
      Entries: [{ EventId: expect.any(String) }, { EventId: expect.any(String) }],
    });
    await bus.settled();
    expect(delivered).toEqual([
      [
        'stats',
        expect.objectContaining({
          source: 'users',
          detail: { n: 1 },
          id: answer.Entries[0]?.EventId,
        }),
      ],
      ['stats', expect.objectContaining({ detail: { n: 2 } })],
    ]);
  });

  it('keeps what each function received for a look, and not what it failed', async () => {
    const bus = busDelivering(
      async (name) => {
        if (name === 'erasures') throw new FunctionError('failed');
      },
      { functionRetryPausesMs: [0] },
    );
    bus.putEvents({
      Entries: [entry({ n: 1 }), { ...entry({ n: 2 }), DetailType: 'user.erased' }],
    });
    await bus.settled();
    expect(bus.delivered()).toEqual([
      { functionName: 'stats', event: expect.objectContaining({ detail: { n: 1 } }) },
      { functionName: 'stats', event: expect.objectContaining({ detail: { n: 2 } }) },
    ]);
  });

  it('refuses more than 10 entries whole, and a malformed entry alone', () => {
    const bus = busDelivering(async () => {});
    expect(() => bus.putEvents({ Entries: Array.from({ length: 11 }, () => entry({})) })).toThrow(
      BusValidationError,
    );
    const answer = bus.putEvents({
      Entries: [
        entry({}),
        { ...entry({}), Detail: 'not json' },
        { ...entry({}), Source: undefined },
      ],
    });
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries.map((e) => ('ErrorCode' in e ? e.ErrorCode : 'ok'))).toEqual([
      'ok',
      'MalformedDetail',
      'InvalidArgument',
    ]);
  });

  it('takes an entry for a bus that does not exist and delivers it nowhere, as AWS does (counted)', async () => {
    const invoked: string[] = [];
    const bus = busDelivering(async (name) => {
      invoked.push(name);
    });
    expect(bus.putEvents({ Entries: [entry({}, 'no-such-bus')] }).FailedEntryCount).toBe(0);
    await bus.settled();
    expect(invoked).toEqual([]);
    expect(bus.counters()).toMatchObject({ accepted: 1, unknownBus: 1 });
  });

  it("describes only a bus that has rules (the stack's own), so a typo is caught before publishing", () => {
    const bus = busDelivering(async () => {});
    expect(bus.describeEventBus({ Name: 'users-local' })).toMatchObject({ Name: 'users-local' });
    expect(bus.describeEventBus({ Name: 'users-locla' })).toBeUndefined();
  });

  it('retries a failing delivery, then keeps it as dead-lettered', async () => {
    let failures = 1;
    const bus = busDelivering(async (name) => {
      if (name === 'erasures' || failures-- > 0) throw new Error('down');
    });
    bus.putEvents({ Entries: [{ ...entry({}), DetailType: 'user.erased' }] });
    await bus.settled();
    expect(bus.counters()).toMatchObject({ delivered: 1, retried: 2, deadLettered: 1 });
    expect(bus.deadLetters()).toEqual([expect.objectContaining({ functionName: 'erasures' })]);
  }, 10_000);

  it("gives an event the function itself failed the function's retries only (2), each after a longer pause, as Lambda does", async () => {
    const runs: number[] = [];
    const bus = busDelivering(
      async (name) => {
        if (name !== 'stats') return;
        runs.push(Date.now());
        throw new FunctionError('the function failed');
      },
      { functionRetryPausesMs: [100, 300] },
    );
    bus.putEvents({ Entries: [entry({})] });
    await bus.settled();
    expect(runs).toHaveLength(3);
    const [first = 0, second = 0, third = 0] = runs;
    expect(second - first).toBeGreaterThanOrEqual(95);
    // Longer each time (a fixed pause would make both gaps alike).
    expect(third - second).toBeGreaterThan(second - first + 150);
    expect(bus.counters()).toMatchObject({ delivered: 0, retried: 2, deadLettered: 1 });
  }, 10_000);

  it('runs at most a few invocations of one function at once, and delivers every event', async () => {
    let active = 0;
    let most = 0;
    const bus = busDelivering(
      async (name) => {
        if (name !== 'stats') return;
        active++;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
      },
      { functionConcurrency: 3 },
    );
    for (let i = 0; i < 10; i++) {
      bus.putEvents({ Entries: Array.from({ length: 10 }, () => entry({})) });
    }
    await bus.settled();
    expect(most).toBe(3);
    expect(bus.counters()).toMatchObject({ accepted: 100, delivered: 100, deadLettered: 0 });
  });

  it('refuses a request over 256 KB in all, and a Detail that is not a JSON object', () => {
    const bus = busDelivering(async () => {});
    const big = 'x'.repeat(30 * 1024);
    expect(() =>
      bus.putEvents({ Entries: Array.from({ length: 10 }, () => entry({ big })) }),
    ).toThrow(BusValidationError);
    const answer = bus.putEvents({
      Entries: [
        { ...entry({}), Detail: 'null' },
        { ...entry({}), Detail: '[1]' },
      ],
    });
    expect(answer.FailedEntryCount).toBe(2);
  });

  it("applies the stats recorder's rule as declared: the types it counts, in the schema version it reads", async () => {
    const functions = parse(
      readFileSync(
        join(__dirname, '../../services/stats-service/serverless/functions.yml'),
        'utf8',
      ),
    );
    const [{ eventBridge }] = functions.statsRecorder.events;
    const delivered: unknown[] = [];
    const bus = createLocalBus(async (_, event) => {
      delivered.push(event);
    });
    bus.setRules([{ bus: 'users-local', functionName: 'stats', pattern: eventBridge.pattern }]);
    const sent = (type: string, schema_version: unknown) => ({
      ...entry({ schema_version }),
      DetailType: type,
    });
    bus.putEvents({
      Entries: [
        sent('user.registered', 1),
        sent('user.balance-changed', 1),
        sent('user.registered', 2),
        sent('user.promoted', 1),
        sent('user.profile-changed', 1),
        sent('user.deleted', '1'),
        { ...sent('user.erased', 1), Source: 'someone-else' },
      ],
    });
    await bus.settled();
    expect(delivered).toEqual([
      expect.objectContaining({ 'detail-type': 'user.registered', detail: { schema_version: 1 } }),
      expect.objectContaining({ 'detail-type': 'user.balance-changed' }),
    ]);
  });

  it('fails and duplicates entries on demand, for drills', async () => {
    const delivered: unknown[] = [];
    const bus = busDelivering(async (_, event) => {
      delivered.push(event);
    });
    bus.setFaults({ failShare: 1 });
    expect(bus.putEvents({ Entries: [entry({})] })).toMatchObject({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure' }],
    });
    bus.setFaults({ duplicateShare: 1 });
    bus.putEvents({ Entries: [entry({})] });
    await bus.settled();
    expect(delivered).toHaveLength(2);
    expect(bus.counters()).toMatchObject({ failed: 1, duplicated: 1 });
  });

  it('gives up deliveries still retrying once stopped, so a stopping process can exit', async () => {
    let attempts = 0;
    const bus = busDelivering(
      async () => {
        attempts++;
        throw new FunctionError('the function is gone');
      },
      { functionRetryPausesMs: [20] },
    );
    bus.putEvents({ Entries: [entry({ n: 1 })] });
    while (attempts === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    bus.stop();
    await bus.settled();
    expect(attempts).toBe(1);
    expect(bus.counters()).toMatchObject({ delivered: 0, inFlight: 0 });
  });
});
