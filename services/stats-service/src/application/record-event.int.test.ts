import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type IntegrationEvent, toIntegrationEvent } from '@users/shared/integration';
import fc from 'fast-check';
import { conflictWithTransactions, firstTimes } from '../../../../test/faults/dynamodb-faults';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../test/support/integration';
import { historiesArbitrary } from '../../../../test/support/stream-simulation';
import { foldDailyFigures, NO_FIGURES } from '../domain/daily-figures';
import { DynamoStatsStore } from '../infrastructure/dynamo-stats-store';
import { recordEvent } from './record-event';

const TABLES = ['StatsTable', 'CountedEventsTable'] as const;
let tables: Record<(typeof TABLES)[number], string>;
beforeAll(async () => {
  tables = await createTestTables(TABLES);
});
afterAll(() => deleteTestTables(tables));

/** Each user's events as published, on days spread over a week (the balance is not needed here). */
const publishedArbitrary = fc
  .tuple(
    historiesArbitrary('stats'),
    fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 64, maxLength: 64 }),
  )
  .map(([histories, days]) =>
    histories.flat().map((event, i): IntegrationEvent => {
      const published = toIntegrationEvent(event, 0);
      const occurredAt = new Date(
        Date.UTC(2026, 0, 1 + (days[i % days.length] ?? 0), 12),
      ).toISOString();
      // Ids unique per user and version (the fixture's repeat across users).
      const eventId = `${event.userId}#${event.version}`;
      return {
        ...published,
        detail: { ...published.detail, occurred_at: occurredAt, event_id: eventId },
      } as IntegrationEvent;
    }),
  );

describe('the daily figures', () => {
  it('equal the fold of the events, whatever the duplicates and the order of delivery', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        publishedArbitrary,
        fc.record({
          seed: fc.integer(),
          duplicateRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
        }),
        async (events, { seed, duplicateRate }) => {
          // A store of its own per run: the figures of earlier runs must not add up.
          const store = new DynamoStatsStore(testDocumentClient(), {
            figures: tables.StatsTable,
            countedEvents: tables.CountedEventsTable,
          });
          const prefix = `run${++run}-`;
          const unique = events.map((e) => ({
            ...e,
            detail: { ...e.detail, event_id: `${prefix}${e.detail.event_id}` },
          })) as IntegrationEvent[];
          const shifted = unique.map((e) => ({
            ...e,
            detail: {
              ...e.detail,
              occurred_at: e.detail.occurred_at.replace('2026', String(2100 + run)),
            },
          })) as IntegrationEvent[];
          await deliverAll(store, shifted, seed, duplicateRate);
          const expected = foldDailyFigures(shifted);
          const days = [...expected.keys()].sort();
          if (days.length === 0) return;
          const stored = await store.figuresBetween(days[0] as string, days.at(-1) as string);
          expect(stored).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('a delivery that meets another on the same shard (TransactionConflict, AWS only)', () => {
  it('is tried again and counted once, never failed to the queue', async () => {
    const client = testDocumentClient();
    conflictWithTransactions(client, {
      commands: ['TransactWriteItemsCommand'],
      when: firstTimes(4),
    });
    const store = new DynamoStatsStore(client, {
      figures: tables.StatsTable,
      countedEvents: tables.CountedEventsTable,
    });
    const [event] = fc.sample(publishedArbitrary, { numRuns: 1, seed: 7 })[0] ?? [];
    const registration = {
      ...(event as IntegrationEvent),
      type: 'user.registered',
      detail: {
        ...event?.detail,
        event_id: 'conflicted-1',
        occurred_at: '2201-01-01T12:00:00.000Z',
      },
    } as IntegrationEvent;
    expect(await recordEvent(store, registration)).toBe(true);
    expect(await recordEvent(store, registration)).toBe(false);
    const stored = await store.figuresBetween('2201-01-01', '2201-01-01');
    expect(stored.get('2201-01-01')?.registered).toBe(1);
  });
});

describe("a day's balance volume past 2^53", () => {
  it('is answered (to the nearest double), never a failed read', async () => {
    const store = new DynamoStatsStore(testDocumentClient(), {
      figures: tables.StatsTable,
      countedEvents: tables.CountedEventsTable,
    });
    // What 12,345,679 changes of 10^12 on one shard add up to.
    await testDocumentClient().send(
      new PutItemCommand({
        TableName: tables.StatsTable,
        Item: {
          Shard: { N: '0' },
          Day: { S: '2202-01-01' },
          balanceChanges: { N: '12345679' },
          balanceVolume: { N: '12345679000000000000' },
        },
      }),
    );
    const figures = (await store.figuresBetween('2202-01-01', '2202-01-01')).get('2202-01-01');
    expect(figures).toMatchObject({ balanceChanges: 12345679, balanceVolume: 12345679e12 });
  });
});

describe('a day stored before the erasure figures existed', () => {
  it('reads them as 0, and adds to them from the first erasure request', async () => {
    const store = new DynamoStatsStore(testDocumentClient(), {
      figures: tables.StatsTable,
      countedEvents: tables.CountedEventsTable,
    });
    // An item as the previous release wrote it: no erasureRequests, no erasureCancellations.
    await testDocumentClient().send(
      new PutItemCommand({
        TableName: tables.StatsTable,
        Item: { Shard: { N: '0' }, Day: { S: '2203-01-01' }, registered: { N: '2' } },
      }),
    );
    const before = (await store.figuresBetween('2203-01-01', '2203-01-01')).get('2203-01-01');
    expect(before).toEqual({ ...NO_FIGURES, registered: 2 });
    expect(await store.addOnce('erasure-request-1', '2203-01-01', { erasureRequests: 1 })).toBe(
      true,
    );
    const after = (await store.figuresBetween('2203-01-01', '2203-01-01')).get('2203-01-01');
    expect(after).toEqual({ ...NO_FIGURES, registered: 2, erasureRequests: 1 });
  });
});

/** Every event at least once: duplicated at random and shuffled (EventBridge keeps no order). */
const deliverAll = async (
  store: DynamoStatsStore,
  events: IntegrationEvent[],
  seed: number,
  duplicateRate: number,
) => {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const deliveries = events.flatMap((e) => (next() < duplicateRate ? [e, e] : [e]));
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [deliveries[i], deliveries[j]] = [
      deliveries[j] as IntegrationEvent,
      deliveries[i] as IntegrationEvent,
    ];
  }
  // Some at once, as concurrent invocations would.
  await Promise.all(deliveries.map((event) => recordEvent(store, event)));
};
