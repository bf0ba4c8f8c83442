import { randomUUID } from 'node:crypto';
import { toIntegrationEvent } from '@users/shared/integration';
import { DynamoStatsStore } from '../services/stats-service/src/infrastructure/dynamo-stats-store';
import { COMMAND_TABLES, sendCommand, testEventStore } from '../test/support/command-store';
import {
  createTestTables,
  deleteTestTables,
  testDataKeys,
  testDocumentClient,
} from '../test/support/integration';
import { readEventStore, waitForStats } from './verify';

const TABLES = [...COMMAND_TABLES, 'StatsTable', 'CountedEventsTable'] as const;
let tables: Record<(typeof TABLES)[number], string>;
beforeAll(async () => {
  tables = await createTestTables(TABLES);
});
afterAll(() => deleteTestTables(tables));

const statsTables = () => ({
  figures: tables.StatsTable,
  countedEvents: tables.CountedEventsTable,
});
const stats = () => new DynamoStatsStore(testDocumentClient(), statsTables());
const deps = () => ({
  store: testEventStore(tables),
  now: () => new Date(),
  newEventId: randomUUID,
  erasureGraceSeconds: 30 * 24 * 60 * 60,
});

/** A stage over the test tables, read through `client`. */
const stageOn = (client = testDocumentClient()) => ({
  client,
  eventsTable: tables.EventsTable,
  keys: testDataKeys(tables.DataKeysTable, client),
  statsTables: statsTables(),
});

/** A user registered through the event store, and counted as the stats service counts it. */
const registerAndCount = async () => {
  const userId = `verify-${randomUUID()}`;
  await sendCommand(deps(), userId, 'USER_CREATED', {
    name: 'Vera Canary',
    email: 'v@example.com',
  });
  const [created] = (await readEventStore(stageOn())).get(userId) ?? [];
  if (!created) throw new Error('not stored');
  const event = toIntegrationEvent(created, 0);
  await stats().addOnce(event.detail.event_id, event.detail.occurred_at.slice(0, 10), {
    registered: 1,
  });
  return event.detail.event_id;
};

describe('the check of the stats (waitForStats)', () => {
  it('agrees while others register users between its reads of the events and of the stats', async () => {
    await registerAndCount();
    // After each full scan of the events, a user is stored and counted: what a test file beside
    // this one does, at the worst moment for a check that reads the events, then the stats.
    const client = testDocumentClient();
    let registered = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        const input = args.input as { TableName?: string };
        const page = output.output as { LastEvaluatedKey?: unknown };
        if (
          context.commandName === 'ScanCommand' &&
          input.TableName === tables.EventsTable &&
          !page.LastEvaluatedKey &&
          registered < 20
        ) {
          registered++;
          await registerAndCount();
        }
        return output;
      },
      { step: 'initialize', name: 'registerBehindTheScan' },
    );
    expect(await waitForStats(stageOn(client), 4_000, { uncountedGraceMs: 30_000 })).toEqual([]);
    expect(registered).toBeGreaterThan(0);
  });

  it('names an event counted that is not stored, and one stored but never counted', async () => {
    await stats().addOnce('not-an-event', '2026-12-07', { registered: 1 });
    const userId = `verify-${randomUUID()}`;
    await sendCommand(deps(), userId, 'USER_CREATED', { name: 'Una Counted', email: 'u@e.com' });
    // With a grace for events stored meanwhile too: this one was stored before the wait began.
    const problems = await waitForStats(stageOn(), 1_000, { uncountedGraceMs: 30_000 });
    expect(problems).toEqual(
      expect.arrayContaining([
        'counted on 2026-12-07 but not in the event store: not-an-event',
        expect.stringMatching(/^2026-12-07: .* stored, .* from the events counted$/),
        expect.stringMatching(
          new RegExp(`^stored but not counted: user.registered .* of ${userId}$`),
        ),
      ]),
    );
  });
});
