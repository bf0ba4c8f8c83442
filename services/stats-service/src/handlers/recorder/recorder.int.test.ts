import type { ReadEvent } from '@users/shared';
import { INTEGRATION_SOURCE, toIntegrationEvent } from '@users/shared/integration';
import { balanceChanged, created, recordedEvents } from '../../../../../test/fixtures/events';
import { emfWrittenBy } from '../../../../../test/support/emf';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../../test/support/integration';
import { DynamoStatsStore } from '../../infrastructure/dynamo-stats-store';
import { createRecorder } from './recorder';

const TABLES = ['StatsTable', 'CountedEventsTable'] as const;
let tables: Record<(typeof TABLES)[number], string>;
beforeAll(async () => {
  tables = await createTestTables(TABLES);
});
afterAll(() => deleteTestTables(tables));

/** What EventBridge hands the subscriber for an integration event (and for an archive replay). */
const delivered = (event: ReadEvent, replayName?: string) => {
  const { type, detail } = toIntegrationEvent(event, 0);
  return {
    version: '0',
    id: `delivery-${Math.random()}`,
    'detail-type': type,
    source: INTEGRATION_SOURCE,
    time: detail.occurred_at,
    detail: { ...detail, occurred_at: new Date().toISOString() },
    ...(replayName ? { 'replay-name': replayName } : {}),
  };
};

describe('the stats recorder, in its metrics (EMF, docs/operations.md)', () => {
  it('counts an event once with its delivery lag, then each duplicate as ignored, and a replay without a lag', async () => {
    const recorder = createRecorder(
      new DynamoStatsStore(testDocumentClient(), {
        figures: tables.StatsTable,
        countedEvents: tables.CountedEventsTable,
      }),
    );
    const userId = `stats-metrics-${Date.now()}`;
    const [registered, balance] = recordedEvents(userId, [
      created('Metrics Canary', 'canary@example.com'),
      balanceChanged(5),
    ]) as ReadEvent[];
    const first = await emfWrittenBy(recorder, delivered(registered as ReadEvent));
    expect(Object.fromEntries(first.metrics)).toMatchObject({
      EventsCounted: [1],
      DeliveryLag: [expect.any(Number)],
    });
    const again = await emfWrittenBy(recorder, delivered(registered as ReadEvent));
    expect(Object.fromEntries(again.metrics)).toMatchObject({ DuplicatesIgnored: [1] });
    expect(again.metrics.has('EventsCounted')).toBe(false);
    expect(again.metrics.has('DeliveryLag')).toBe(false);
    const replay = await emfWrittenBy(recorder, delivered(balance as ReadEvent, 'backfill'));
    expect(Object.fromEntries(replay.metrics)).toMatchObject({ EventsCounted: [1] });
    expect(replay.metrics.has('DeliveryLag')).toBe(false);
    for (const { text } of [first, again, replay]) expect(text).not.toContain(userId);
  });
});
