import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { decodeEvent, type ReadEvent } from '@users/shared';
import fc from 'fast-check';
import { stageConfig } from '../scripts/local-stack/tables';
import { baseUrl } from '../test/support/http';
import { commandBody, commandHeaders, queryRequest } from './fuzz';
import { type Answer as StoreAnswer, storeDisagreements } from './store-accounting';

/** 1,000 cases per run in `npm test`; `npm run fuzz` runs 20,000. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
/** A count, not a pace: each request may take a generous 100 ms on a busy machine. */
const TIMEOUT_MS = Math.max(60_000, RUNS * 100);

type Answer = { status: number; body: unknown; correlationId: string | null };

const send = async (path: string, init?: RequestInit): Promise<Answer> => {
  const response = await fetch(`${baseUrl()}${path}`, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${response.status} answer to ${path} is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, body, correlationId: response.headers.get('x-correlation-id') };
};

const expectWellFormed = ({ status, body, correlationId }: Answer) => {
  expect(status).toBeLessThan(500);
  if (status >= 400) expect(body).toEqual(expect.objectContaining({ message: expect.any(String) }));
  expect(correlationId).toEqual(expect.any(String));
};

describe('HTTP fuzzing', () => {
  const commands: StoreAnswer[] = [];

  it(
    `answers ${Math.round(RUNS / 2)} random POST /command requests with JSON and never a 5xx`,
    async () => {
      await fc.assert(
        fc.asyncProperty(commandBody, commandHeaders, async (body, headers) => {
          const answer = await send('/command', { method: 'POST', headers, body });
          expectWellFormed(answer);
          const reply = answer.body as { message?: string; event_id?: string };
          commands.push({
            correlationId: answer.correlationId as string,
            ...(answer.status === 200 &&
              reply.message === 'Event stored' && { storedEventId: reply.event_id }),
          });
        }),
        { numRuns: Math.round(RUNS / 2) },
      );
    },
    TIMEOUT_MS,
  );

  it(
    `answers ${Math.round(RUNS / 2)} random queries with JSON and never a 5xx`,
    async () => {
      await fc.assert(
        fc.asyncProperty(queryRequest, async (path) => expectWellFormed(await send(path))),
        { numRuns: Math.round(RUNS / 2) },
      );
    },
    TIMEOUT_MS,
  );

  it('stored an event for exactly the requests it accepted, and nothing for refusals', async () => {
    const { client, eventsTable, keys } = stageConfig('local', {
      endpoint: `http://localhost:${process.env.E2E_DYNAMODB_PORT ?? '8000'}`,
      kmsEndpoint: `http://localhost:${process.env.E2E_LOCAL_AWS_PORT ?? '3004'}`,
    });
    const events = new Map<string, string[]>();
    for await (const page of paginateScan({ client }, { TableName: eventsTable })) {
      for (const item of page.Items ?? []) {
        const { correlationId, eventId } = (await decodeEvent(item, keys)) as ReadEvent;
        events.set(correlationId, [...(events.get(correlationId) ?? []), eventId]);
      }
    }
    expect(commands.filter((command) => !command.storedEventId).length).toBeGreaterThan(0);
    expect(commands.filter((command) => command.storedEventId).length).toBeGreaterThan(0);
    expect(storeDisagreements(commands, events)).toEqual([]);
  });
});
