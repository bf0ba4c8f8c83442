import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '@users/shared/dynamo';
import { benchDataKeys, sealedHistoryItems, writeItems } from '../fixtures';
import { type HttpHandler, httpEvent, lambdaContext } from '../lambda';
import { median, round, summarize } from '../stats';

/**
 * Command latency on a user with a long history against one with a short history: deciding must
 * read the head only, never the whole history. Uses the command tables (and data keys table)
 * that command-path set up.
 */
export const historyCost = async (
  { endpoint, kmsEndpoint, rounds }: { endpoint: string; kmsEndpoint: string; rounds: number },
  commandBundle: string,
) => {
  const client = createDocumentClient({ endpoint });
  const table = process.env.EVENTS_TABLE as string;
  const longUser = `history-10000-${randomUUID()}`;
  const shortUser = `history-10-${randomUUID()}`;
  const keys = benchDataKeys(endpoint, kmsEndpoint, process.env.DATA_KEYS_TABLE as string);
  await writeItems(client, table, [
    ...(await sealedHistoryItems(keys, longUser, 10_000)),
    ...(await sealedHistoryItems(keys, shortUser, 10)),
  ]);
  const { handler } = require(commandBundle) as { handler: HttpHandler };
  const context = lambdaContext('command');
  const timeCommands = async (userId: string, count: number) => {
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const body = { user_id: userId, event_type: 'USER_BALANCE', payload: { delta: 1 } };
      const t0 = performance.now();
      const response = await handler(httpEvent('POST', '/command', { body }), context);
      latencies.push(performance.now() - t0);
      if (response.statusCode !== 200) throw new Error(response.body);
    }
    return summarize(latencies);
  };
  const long: number[] = [];
  const short: number[] = [];
  const longP99: number[] = [];
  const shortP99: number[] = [];
  // Alternating which user goes first keeps DynamoDB Local's warm-up drift out of the ratio.
  for (let round = 0; round < rounds; round++) {
    const [first, second] = round % 2 === 0 ? [shortUser, longUser] : [longUser, shortUser];
    const a = await timeCommands(first, 200);
    const b = await timeCommands(second, 200);
    const [shortRun, longRun] = first === shortUser ? [a, b] : [b, a];
    short.push(shortRun.p50);
    long.push(longRun.p50);
    shortP99.push(shortRun.p99);
    longP99.push(longRun.p99);
  }
  return {
    short: { events: 10, p50: round(median(short)), p99: round(median(shortP99)) },
    long: { events: 10_000, p50: round(median(long)), p99: round(median(longP99)) },
    ratio: round(median(long) / median(short)),
  };
};
