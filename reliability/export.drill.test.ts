import { randomUUID } from 'node:crypto';
import { benchDataKeys, userHistoryItems, writeItems } from '../bench/fixtures';
import { stageConfig } from '../scripts/local-stack/tables';
import { ownStack } from './own-stack';

const PORTS = { http: 3820, lambda: 3822, dynamodb: 8920, localAws: 3824 };
const drill = ownStack('export', PORTS);
const EVENTS = Number(process.env.EXPORT_DRILL_EVENTS ?? 100_000);
const NAME = 'Export Canary';

type ExportPage = {
  export_id: string;
  events: { sequence: number; event_type: string; payload: Record<string, unknown> }[];
  next_token?: string;
};

describe(`exporting a user of ${EVENTS.toLocaleString('en')} events over HTTP`, () => {
  it('gives every event once, in order, opened, one export across all pages', async () => {
    const kmsEndpoint = `http://localhost:${PORTS.localAws}`;
    const stage = stageConfig('local', { endpoint: drill.stack.endpoint, kmsEndpoint });
    const keys = benchDataKeys(drill.stack.endpoint, kmsEndpoint, stage.dataKeysTable);
    const userId = `export-drill-${randomUUID()}`;
    const items = userHistoryItems(userId, EVENTS, await keys.readOrCreate(userId), {
      name: NAME,
      email: 'export.canary@example.com',
    });
    await writeItems(stage.client, stage.eventsTable, items);

    const started = performance.now();
    const pages: ExportPage[] = [];
    let token: string | undefined;
    let sequence = 0;
    do {
      const query = `user_id=${userId}&limit=1000${token ? `&next_token=${token}` : ''}`;
      const response = await fetch(`${drill.stack.baseUrl}/export?${query}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as ExportPage;
      // Checked as it arrives, not kept: 100,000 events of JSON stay out of the test's memory.
      for (const event of page.events) expect(event.sequence).toBe(++sequence);
      pages.push({ ...page, events: page.events.slice(0, 1) });
      token = page.next_token;
    } while (token);
    const seconds = (performance.now() - started) / 1000;

    expect(sequence).toBe(EVENTS);
    expect(pages[0]?.events[0]?.payload).toEqual({
      name: NAME,
      email: 'export.canary@example.com',
    });
    expect(new Set(pages.map((page) => page.export_id))).toEqual(new Set([pages[0]?.export_id]));
    console.info(
      `export drill: ${EVENTS} events in ${pages.length} pages, ${seconds.toFixed(1)} s (${Math.round(EVENTS / seconds)} events/s)`,
    );
  }, 900_000);
});
