import type { ErrorCode as ClosedListOfCodes } from '../../../shared/src/http/error-codes';
import type { ErrorCode } from './api-types';
import { createUsersClient, orThrow, type UsersClientOptions } from './client';
import { UsersApiError } from './users-api-error';

/** A stand-in for the network: answers the given responses in turn, and keeps each request. */
const network = (...answers: Response[]) => {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request);
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    return answer;
  };
  return { fetch, requests };
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const problem = (status: number, code: string, title: string, fields: object = {}) => ({
  message: title,
  code,
  type: `https://github.com/users-cqrs/errors#${code}`,
  title,
  status,
  detail: title,
  ...fields,
});

const stored = (sequence: number) =>
  json(200, {
    message: 'Event stored',
    aggregate_id: 'user-001',
    event_type: 'USER_BALANCE',
    sequence,
    event_id: '6f1c1a2e-4b0e-4d5e-9f3a-2b7c8d9e0f1a',
    occurred_at: '2026-11-29T12:00:00.000Z',
  });

const busy = (retryAfter: string) =>
  json(503, problem(503, 'SERVICE_BUSY', 'Service busy'), { 'retry-after': retryAfter });

const clientOn = (
  { fetch }: ReturnType<typeof network>,
  options: Partial<UsersClientOptions> = {},
) => createUsersClient({ baseUrl: 'http://api.test', fetch, ...options });

const deposit = { user_id: 'user-001', payload: { delta: 25 } };

describe('the users client', () => {
  afterEach(() => jest.useRealTimers());

  it('sends the command as the document says, with an Idempotency-Key and the token', async () => {
    const net = network(stored(2));
    const answer = await clientOn(net, { token: 'jwt-1' }).changeBalance(deposit);
    expect(answer.data).toMatchObject({ sequence: 2 });
    const [request] = net.requests as [Request];
    expect([request.method, request.url]).toEqual(['POST', 'http://api.test/command']);
    expect(await request.json()).toEqual({ ...deposit, event_type: 'USER_BALANCE' });
    expect(request.headers.get('authorization')).toBe('Bearer jwt-1');
    expect(request.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('asks a token function again for every attempt', async () => {
    const net = network(busy('0'), stored(2));
    let issued = 0;
    await clientOn(net, { token: async () => `jwt-${++issued}` }).changeBalance(deposit);
    expect(net.requests.map((r) => r.headers.get('authorization'))).toEqual([
      'Bearer jwt-1',
      'Bearer jwt-2',
    ]);
  });

  it('waits as long as Retry-After says, then tries the same request again', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const net = network(busy('2'), stored(2));
    const answer = clientOn(net).changeBalance(deposit, { correlationId: 'c-1' });
    await jest.advanceTimersByTimeAsync(1999);
    expect(net.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect((await answer).data).toMatchObject({ sequence: 2 });
    const [first, second] = net.requests as [Request, Request];
    expect(second.headers.get('idempotency-key')).toBe(first.headers.get('idempotency-key'));
    expect(second.headers.get('x-correlation-id')).toBe('c-1');
    expect(await second.json()).toEqual(await first.json());
  });

  it('waits a second or more when a 429 says nothing of when (API Gateway’s own)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const net = network(json(429, { message: 'Too Many Requests' }), stored(2));
    const answer = clientOn(net).changeBalance(deposit);
    await jest.advanceTimersByTimeAsync(999);
    expect(net.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(501);
    expect((await answer).data).toMatchObject({ sequence: 2 });
  });

  it('takes a Retry-After that is neither seconds nor an HTTP date for none (1.5, -1)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const net = network(busy('1.5'), busy('-1'), stored(2));
    const answer = clientOn(net).changeBalance(deposit);
    await jest.advanceTimersByTimeAsync(999);
    expect(net.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(4000);
    expect((await answer).data).toMatchObject({ sequence: 2 });
    expect(net.requests).toHaveLength(3);
  });

  it('never repeats a command sent without an Idempotency-Key on a 503 (it may be stored)', async () => {
    const net = network(busy('0'), stored(2));
    const answer = await clientOn(net).api.POST('/command', {
      body: { ...deposit, event_type: 'USER_BALANCE' },
    });
    expect([net.requests.length, answer.response.status]).toEqual([1, 503]);
  });

  it('reuses the caller’s Idempotency-Key on every retry', async () => {
    const net = network(busy('0'), busy('0'), stored(2));
    await clientOn(net).changeBalance(deposit, { idempotencyKey: 'deposit-42' });
    expect(net.requests.map((r) => r.headers.get('idempotency-key'))).toEqual([
      'deposit-42',
      'deposit-42',
      'deposit-42',
    ]);
  });

  it('gives up at once when Retry-After is beyond maxWaitMs, and after maxAttempts', async () => {
    const tooLong = network(busy('120'));
    const answer = await clientOn(tooLong, { retry: { maxWaitMs: 1000 } }).changeBalance(deposit);
    expect([tooLong.requests.length, answer.error?.status, answer.error?.code]).toEqual([
      1,
      503,
      'SERVICE_BUSY',
    ]);
    const always = network(busy('0'), busy('0'), busy('0'), busy('0'));
    await clientOn(always, { retry: { maxAttempts: 3 } }).changeBalance(deposit);
    expect(always.requests).toHaveLength(3);
  });

  it('reads its own write: asks for min_version and waits while it is not reached', async () => {
    const net = network(
      json(409, problem(409, 'VERSION_NOT_REACHED', 'Not reached yet', { min_version: 2 }), {
        'retry-after': '0',
      }),
      json(200, { UserID: 'user-001', Name: 'Alice', Balance: 25, Version: 2 }),
    );
    const users = clientOn(net);
    const detail = await orThrow(users.readYourWrite({ aggregate_id: 'user-001', sequence: 2 }));
    expect(detail).toMatchObject({ Version: 2 });
    expect(net.requests.map((r) => r.url)).toEqual([
      'http://api.test/detail?user_id=user-001&min_version=2',
      'http://api.test/detail?user_id=user-001&min_version=2',
    ]);
  });

  it('sends a command whose outcome is unknown again under its key, and nothing else refused', async () => {
    const unknown = network(
      json(500, problem(500, 'OUTCOME_UNKNOWN', 'Outcome unknown'), { 'retry-after': '0' }),
      stored(2),
    );
    expect((await clientOn(unknown).changeBalance(deposit)).data).toMatchObject({ sequence: 2 });
    expect(new Set(unknown.requests.map((r) => r.headers.get('idempotency-key'))).size).toBe(1);

    for (const refusal of [
      json(500, problem(500, 'INTERNAL_ERROR', 'Internal error')),
      json(409, problem(409, 'VERSION_CONFLICT', 'Version conflict', { current_version: 3 })),
      json(502, { message: 'The function failed' }),
    ]) {
      const net = network(refusal);
      expect((await clientOn(net).changeBalance(deposit)).error).toBeInstanceOf(UsersApiError);
      expect(net.requests).toHaveLength(1);
    }
  });

  it('types each error by status and code, down to the fields its body carries', async () => {
    const net = network(
      json(
        422,
        problem(422, 'INSUFFICIENT_BALANCE', 'Insufficient balance', { balance: 10, delta: -11 }),
      ),
    );
    const { error } = await clientOn(net).changeBalance({ ...deposit, payload: { delta: -11 } });
    if (!error) throw new Error('expected a refusal');
    expect(error.message).toBe(
      'The users API answered 422 INSUFFICIENT_BALANCE: Insufficient balance',
    );
    // @ts-expect-error: not a code POST /command answers with
    expect(error.code === 'NO_SUCH_CODE').toBe(false);
    if (error.code !== 'INSUFFICIENT_BALANCE') throw new Error(`unexpected ${error.code}`);
    const { balance, delta }: { balance: number; delta: number } = error.body;
    const status: 422 = error.status;
    expect([status, balance, delta]).toEqual([422, 10, -11]);
  });

  it('knows the codes of the closed list, through the document, and no other', () => {
    type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
    const same: Same<ErrorCode, ClosedListOfCodes> = true;
    // @ts-expect-error: not a code of the document
    const notACode: ErrorCode = 'NO_SUCH_CODE';
    expect([same, notACode]).toEqual([true, 'NO_SUCH_CODE']);
  });

  it('throws the typed error through orThrow', async () => {
    const net = network(json(404, problem(404, 'USER_NOT_FOUND', 'User not found')));
    const thrown = await orThrow(clientOn(net).getDetail({ user_id: 'nobody' })).catch(
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(UsersApiError);
    expect(thrown).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
  });

  it('sends the query of each read as the document names it', async () => {
    const net = network(
      json(200, { user_id: 'u', events: [] }),
      json(200, { users: [] }),
      json(200, { from: '2026-12-01', to: '2026-12-01', days: [] }),
    );
    const users = clientOn(net);
    await users.getHistory({ user_id: 'u', limit: 20 });
    await users.listUsers();
    await users.getStats({ from: '2026-12-01', to: '2026-12-01' });
    expect(net.requests.map((r) => r.url)).toEqual([
      'http://api.test/history?user_id=u&limit=20',
      'http://api.test/list',
      'http://api.test/stats?from=2026-12-01&to=2026-12-01',
    ]);
  });
});
