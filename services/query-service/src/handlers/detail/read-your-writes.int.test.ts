import { randomUUID } from 'node:crypto';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
  testEndpoint,
} from '../../../../../test/support/integration';
import { VERSION_WAIT_MS } from '../../application/read-your-writes';
import { DynamoReadModelStore } from '../../infrastructure/dynamo-read-model-store';
import type { UserDetail } from '../../projections';

/**
 * GET /detail with `min_version` (docs/api.md#reading-your-own-writes): the function, in process,
 * on DynamoDB Local, while this test plays the projector.
 */
const TABLES = ['UserDetailTable', 'UserHistoryTable', 'ProjectionsTable'] as const;
let tables: Record<(typeof TABLES)[number], string>;
let projector: DynamoReadModelStore;
let handler: typeof import('./handler')['handler'];

beforeAll(async () => {
  tables = await createTestTables(TABLES);
  projector = new DynamoReadModelStore(testDocumentClient(), {
    detail: tables.UserDetailTable,
    history: tables.UserHistoryTable,
    listIndex: 'ListIndex',
  });
  // The function's configuration, as a stage gives it; no live pointer: version 1 is live.
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: testEndpoint(),
    USER_DETAIL_TABLE: tables.UserDetailTable,
    USER_HISTORY_TABLE: tables.UserHistoryTable,
    USER_LIST_INDEX: 'ListIndex',
    PROJECTIONS_TABLE: tables.ProjectionsTable,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
  ({ handler } = await import('./handler'));
});
afterAll(() => deleteTestTables(tables));

const detailAt = (userId: string, version: number, deleted = false): UserDetail => ({
  userId,
  name: 'Ada Reader',
  email: 'ada.reader@example.com',
  balance: version - 1,
  version,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  deleted,
  erased: false,
});

/** The projector moving the user on to `version`. */
const project = async (detail: UserDetail, previousVersion: number) =>
  expect(await projector.advance(detail, previousVersion)).toBe(true);

type Answer = { statusCode: number; headers: Record<string, string>; body: string };

/** GET /detail as the user itself, with `remainingMs` of the function's time left. */
const getDetail = async (query: Record<string, string>, remainingMs = 10_000) => {
  const started = Date.now();
  const answer = (await handler(
    {
      version: '2.0',
      routeKey: 'GET /detail',
      rawPath: '/detail',
      rawQueryString: new URLSearchParams(query).toString(),
      headers: {},
      queryStringParameters: query,
      requestContext: {
        http: { method: 'GET', path: '/detail' },
        authorizer: { jwt: { claims: { sub: query.user_id }, scopes: [] } },
      },
      isBase64Encoded: false,
    } as never,
    {
      functionName: 'detail',
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => remainingMs - (Date.now() - started),
    } as never,
  )) as Answer;
  const headers = Object.fromEntries(
    Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return { ...answer, headers, json: JSON.parse(answer.body), tookMs: Date.now() - started };
};

const newUser = () => `reader-${randomUUID()}`;

describe('GET /detail?min_version= (read your writes)', () => {
  it('answers at once once the read model has the version, with its ETag', async () => {
    const userId = newUser();
    await project(detailAt(userId, 1), 0);
    await project(detailAt(userId, 2), 1);
    const answer = await getDetail({ user_id: userId, min_version: '2' });
    expect(answer).toMatchObject({ statusCode: 200, json: { UserID: userId, Version: 2 } });
    expect(answer.headers.etag).toBe('W/"2"');
    expect(answer.tookMs).toBeLessThan(VERSION_WAIT_MS);
  });

  it('waits at most the bound, then answers 409 VERSION_NOT_REACHED with Retry-After', async () => {
    const userId = newUser();
    await project(detailAt(userId, 1), 0);
    const answer = await getDetail({ user_id: userId, min_version: '2' });
    expect(answer.statusCode).toBe(409);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.json).toMatchObject({
      code: 'VERSION_NOT_REACHED',
      status: 409,
      min_version: 2,
      current_version: 1,
    });
    expect(answer.tookMs).toBeGreaterThanOrEqual(VERSION_WAIT_MS);
    // The bound, one last read and the answer; generous for a busy machine.
    expect(answer.tookMs).toBeLessThan(VERSION_WAIT_MS + 1500);
  });

  it('sees a projection written during the wait and answers it', async () => {
    const userId = newUser();
    await project(detailAt(userId, 1), 0);
    const reading = getDetail({ user_id: userId, min_version: '2' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await project(detailAt(userId, 2), 1);
    const answer = await reading;
    expect(answer).toMatchObject({ statusCode: 200, json: { Version: 2 } });
    expect(answer.tookMs).toBeLessThan(VERSION_WAIT_MS);
  });

  // The read side cannot tell a user not projected yet from one that never will be: the answer
  // says "not reached", with version 0, and the client bounds its retries.
  it('answers an unknown user 409 VERSION_NOT_REACHED at version 0, not 404', async () => {
    const userId = newUser();
    const answer = await getDetail({ user_id: userId, min_version: '1' });
    expect(answer).toMatchObject({
      statusCode: 409,
      json: { code: 'VERSION_NOT_REACHED', min_version: 1, current_version: 0 },
    });
    expect((await getDetail({ user_id: userId })).json.code).toBe('USER_NOT_FOUND');
  });

  it('answers a user deleted at or after the version as without min_version: not found', async () => {
    const userId = newUser();
    await project(detailAt(userId, 1), 0);
    await project(detailAt(userId, 2, true), 1);
    const answer = await getDetail({ user_id: userId, min_version: '1' });
    expect(answer).toMatchObject({ statusCode: 404, json: { code: 'USER_NOT_FOUND' } });
    expect(answer.tookMs).toBeLessThan(VERSION_WAIT_MS);
  });

  it('never waits past the time the function has left', async () => {
    const userId = newUser();
    await project(detailAt(userId, 1), 0);
    // 1.2 s left: the answer keeps its second, so 200 ms of waiting.
    const answer = await getDetail({ user_id: userId, min_version: '5' }, 1200);
    expect(answer.statusCode).toBe(409);
    expect(answer.tookMs).toBeLessThan(VERSION_WAIT_MS);
  });

  it('with version too, waits for min_version only: a version past the user is not found', async () => {
    const userId = newUser();
    await project(detailAt(userId, 1), 0);
    const answer = await getDetail({ user_id: userId, version: '2', min_version: '1' });
    expect(answer).toMatchObject({ statusCode: 404, json: { code: 'VERSION_NOT_FOUND' } });
    expect(answer.tookMs).toBeLessThan(VERSION_WAIT_MS);
  });
});
