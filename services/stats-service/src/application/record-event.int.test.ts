import { type IntegrationEvent, toIntegrationEvent } from '@users/shared/integration';
import fc from 'fast-check';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../test/support/integration';
import { historiesArbitrary } from '../../../../test/support/stream-simulation';
import { foldDailyFigures } from '../domain/daily-figures';
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
