import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ErasureReceipt, ProjectionState } from '../../application/ports';
import { erasureReceiptBodySchema } from '../../http/response-schemas';
import { createErasureReceiptHandler } from './erasure-receipt';

const ADMIN = { sub: 'dpo', scope: 'users/admin' };

const receipt: ErasureReceipt = {
  userId: 'user-001',
  erasedAt: '2026-12-07T12:00:00.000Z',
  version: 7,
  eventId: '6f1c1a2e-4b0e-4d5e-9f3a-2b7c8d9e0f1a',
  keyShreddedAt: '2026-12-07T12:00:00.000Z',
  publishedAt: '2026-12-07T12:00:00.400Z',
  detailHiddenAt: { 1: '2026-12-07T12:00:00.300Z' },
  historyRewrittenAt: { 1: '2026-12-07T12:00:01.000Z' },
  audit: { at: '2026-12-08T09:00:00.000Z', outcome: 'nothing readable' },
};

const context = {
  functionName: 'erasureReceipt',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:erasureReceipt',
  memoryLimitInMB: '256',
  awsRequestId: 'request-1',
  getRemainingTimeInMillis: () => 10_000,
} as never;

const setUp = (state: ProjectionState = { live: 1, followers: [] }) => {
  const reads: string[] = [];
  const handler = createErasureReceiptHandler({
    receipts: {
      receiptOf: async (userId) => {
        reads.push(`receipt ${userId}`);
        return userId === receipt.userId ? receipt : null;
      },
    },
    registry: {
      state: async () => {
        reads.push('registry');
        return state;
      },
    },
  });
  const send = async (route: object, claims: Record<string, unknown>) => {
    const answer = (await handler(
      {
        version: '2.0',
        rawQueryString: '',
        headers: {},
        ...route,
        requestContext: {
          http: { method: 'GET', path: '/erasures' },
          authorizer: { jwt: { claims } },
        },
        isBase64Encoded: false,
      } as never,
      context,
    )) as { statusCode: number; body: string };
    return { status: answer.statusCode, body: JSON.parse(answer.body) };
  };
  /** GET /erasures/{user_id}. */
  const get = (pathParameters: Record<string, string>, claims: Record<string, unknown> = ADMIN) =>
    send(
      {
        routeKey: 'GET /erasures/{user_id}',
        rawPath: `/erasures/${pathParameters.user_id}`,
        pathParameters,
      },
      claims,
    );
  /** GET /erasures?user_id=. */
  const getByQuery = (queryStringParameters?: Record<string, string>) =>
    send({ routeKey: 'GET /erasures', rawPath: '/erasures', queryStringParameters }, ADMIN);
  return { get, getByQuery, reads };
};

describe('GET /erasures/{user_id} and /erasures?user_id=', () => {
  it("answers an administrator with the receipt, as the document says, each kept version's steps", async () => {
    const { get } = setUp({ live: 1, followers: [{ version: 2, state: 'building' }] });
    const { status, body } = await get({ user_id: 'user-001' });
    expect(status).toBe(200);
    const validate = addFormats(new Ajv2020({ strict: false })).compile(erasureReceiptBodySchema);
    expect([validate(body), validate.errors]).toEqual([true, null]);
    expect(body).toMatchObject({
      user_id: 'user-001',
      version: 7,
      steps: {
        integration_event_published: '2026-12-07T12:00:00.400Z',
        read_models: [
          {
            projection_version: 1,
            detail_hidden: '2026-12-07T12:00:00.300Z',
            history_rewritten: '2026-12-07T12:00:01.000Z',
          },
          { projection_version: 2, detail_hidden: null, history_rewritten: null },
        ],
      },
      complete: false,
      audit: { at: '2026-12-08T09:00:00.000Z', outcome: 'nothing readable' },
    });
  });

  it('refuses anyone else, the user themself too, before anything is read', async () => {
    const { get, reads } = setUp();
    for (const claims of [{ sub: 'user-001' }, { sub: 'someone', scope: 'openid' }]) {
      expect(await get({ user_id: 'user-001' }, claims)).toMatchObject({
        status: 403,
        body: { code: 'FORBIDDEN' },
      });
      expect(await get({ user_id: ' ' }, claims)).toMatchObject({ status: 403 });
    }
    expect(reads).toEqual([]);
  });

  it('answers 400 with the field for a user id that is no user id, and reads nothing', async () => {
    const { get, reads } = setUp();
    expect(await get({ user_id: 'with space' })).toEqual({
      status: 400,
      body: expect.objectContaining({
        code: 'INVALID_REQUEST',
        fields: [
          {
            path: '/pathParameters/user_id',
            message: 'must be 1-128 characters without spaces or control characters',
          },
        ],
      }),
    });
    expect(await get({ user_id: 'x'.repeat(129) })).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/pathParameters/user_id' }] },
    });
    expect(reads).toEqual([]);
  });

  it('takes the user in the query too, any user id a path cannot carry', async () => {
    const { getByQuery, reads } = setUp();
    expect(await getByQuery({ user_id: 'user-001' })).toMatchObject({
      status: 200,
      body: { user_id: 'user-001' },
    });
    expect(await getByQuery({ user_id: 'team/a?b#c' })).toMatchObject({ status: 404 });
    expect(reads).toContain('receipt team/a?b#c');
    for (const query of [undefined, {}]) {
      expect(await getByQuery(query)).toEqual({
        status: 400,
        body: expect.objectContaining({
          errors: ['/queryStringParameters must have property "user_id"'],
          fields: [{ path: '/queryStringParameters/user_id', message: 'is required' }],
        }),
      });
    }
    expect(await getByQuery({ user_id: 'with space' })).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/queryStringParameters/user_id' }] },
    });
  });

  it('answers 404 USER_NOT_FOUND for a user without a receipt (never erased, or before receipts)', async () => {
    const { get } = setUp();
    expect(await get({ user_id: 'user-002' })).toMatchObject({
      status: 404,
      body: { code: 'USER_NOT_FOUND', message: 'No erasure receipt for this user ID' },
    });
  });
});
