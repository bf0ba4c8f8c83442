import { randomUUID } from 'node:crypto';
import { tableNames } from '../../scripts/local-stack/tables';
import { createUsersOverHttp } from '../fixtures';
import { type HttpHandler, httpEvent, lambdaContext } from '../lambda';
import { describeRuns, type LoadResult, median, round, runLoad } from '../stats';

const CONCURRENCIES = [1, 8, 32];
const USERS = 32;

/**
 * GET /detail over HTTP against the detail handler called in this process, on the same read
 * models of the same DynamoDB Local.
 */
export const queryPath = async (
  {
    endpoint,
    baseUrl,
    runMs,
    rounds,
  }: { endpoint: string; baseUrl: string; runMs: number; rounds: number },
  detailBundle: string,
) => {
  const names = tableNames('local');
  Object.assign(process.env, {
    USER_DETAIL_TABLE: names.detail,
    USER_HISTORY_TABLE: names.history,
    USER_LIST_INDEX: names.listIndex,
    PROJECTIONS_TABLE: names.projections,
    DYNAMODB_ENDPOINT: endpoint,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  const { handler } = require(detailBundle) as { handler: HttpHandler };
  const context = lambdaContext('detail');
  const userIds = Array.from({ length: USERS }, (_, i) => `bench-query-${i}-${randomUUID()}`);
  await createUsersOverHttp(baseUrl, userIds);
  const direct = async (worker: number) => {
    const event = httpEvent('GET', '/detail', { query: { user_id: userIds[worker] as string } });
    const response = await handler(event, context);
    if (response.statusCode !== 200) throw new Error(response.body);
  };
  const overHttp = async (worker: number) => {
    const response = await fetch(`${baseUrl}/detail?user_id=${userIds[worker]}`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(String(response.status));
  };
  // Until every read model is there (the projector is eventually consistent), then warm up.
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if ((await runLoad(USERS, 200, overHttp)).errors === 0) break;
  }
  await runLoad(8, 2000, direct);
  await runLoad(32, 2000, overHttp);

  const results: Record<string, unknown>[] = [];
  for (const concurrency of CONCURRENCIES) {
    const directRuns: LoadResult[] = [];
    const httpRuns: LoadResult[] = [];
    for (let round = 0; round < rounds; round++) {
      const pair: [LoadResult[], (w: number) => Promise<unknown>][] = [
        [directRuns, direct],
        [httpRuns, overHttp],
      ];
      for (const [runs, op] of round % 2 === 0 ? pair : pair.reverse()) {
        runs.push(await runLoad(concurrency, runMs, op));
      }
    }
    results.push({
      concurrency,
      direct: describeRuns(directRuns),
      http: describeRuns(httpRuns),
      httpToDirect: round(
        median(httpRuns.map((r) => r.perSecond)) / median(directRuns.map((r) => r.perSecond)),
      ),
    });
  }
  return results;
};
