import { randomUUID } from 'node:crypto';
import { eventually, get, postCommand, uniqueUserId } from '../../../../../test/support/http';

const created = (userId: string, name = 'Alice') => ({
  user_id: userId,
  event_type: 'USER_CREATED',
  payload: { name, email: 'alice@example.com' },
});
const balance = (userId: string, delta: number, extra = {}) => ({
  user_id: userId,
  event_type: 'USER_BALANCE',
  payload: { delta },
  ...extra,
});

const storedSequences = async (userId: string, expected: number[]) =>
  eventually(async () => {
    const history = await get(`/history?user_id=${userId}`);
    const sequences = history.body.events?.map((event: { sequence: number }) => event.sequence);
    expect(sequences).toEqual(expected);
    return history.body.events;
  });

describe('POST /command', () => {
  it('accepts the original README example and answers like the original API', async () => {
    const userId = uniqueUserId();
    const response = await postCommand(created(userId));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      message: 'Event stored',
      aggregate_id: userId,
      event_type: 'USER_CREATED',
      sequence: 1,
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(response.headers.get('x-correlation-id')).toBeTruthy();
  });

  it('parses a JSON body sent without a JSON content type, as the original did', async () => {
    const response = await postCommand(JSON.stringify(created(uniqueUserId())), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(200);
  });

  describe('refuses bad input with 400 and a JSON error naming the problem', () => {
    const userId = uniqueUserId('bad');
    const cases: [string, unknown, RegExp][] = [
      [
        'a missing user_id',
        { event_type: 'USER_CREATED', payload: { name: 'A', email: 'a@b.co' } },
        /user_id/,
      ],
      ['a missing payload', { user_id: userId, event_type: 'USER_CREATED' }, /payload/],
      ['an unknown field', { ...created(userId), extra: 1 }, /extra/],
      [
        'an unknown payload field',
        { ...created(userId), payload: { name: 'A', email: 'a@b.co', x: 1 } },
        /x/,
      ],
      ['an empty user_id', created(''), /user_id/],
      ['a user_id with a space', created('a b'), /user_id/],
      ['a user_id with a control character', created('a\u0007b'), /user_id/],
      ['a user_id over 128 characters', created('u'.repeat(129)), /user_id/],
      [
        'an unknown event type',
        { user_id: userId, event_type: 'USER_PROMOTED', payload: {} },
        /event_type/,
      ],
      [
        'a lower-case event type',
        { user_id: userId, event_type: 'user_created', payload: {} },
        /event_type/,
      ],
      [
        'a bad email',
        { ...created(userId), payload: { name: 'A', email: 'not-an-email' } },
        /email/,
      ],
      ['an empty name', { ...created(userId), payload: { name: '', email: 'a@b.co' } }, /name/],
      ['a blank name', { ...created(userId), payload: { name: '   ', email: 'a@b.co' } }, /name/],
      [
        'a name of invisible characters',
        { ...created(userId), payload: { name: '\u200b\u3164\u2800', email: 'a@b.co' } },
        /name/,
      ],
      ['a user_id of invisible characters', created('\u3164\u115f'), /user_id/],
      ['a non-integer delta', balance(userId, 1.5), /delta/],
      ['a string delta', { ...balance(userId, 1), payload: { delta: '5' } }, /delta/],
      ['a zero delta', balance(userId, 0), /delta/],
      ['an empty update', { user_id: userId, event_type: 'USER_UPDATED', payload: {} }, /payload/],
      [
        'a negative expected_version',
        balance(userId, 1, { expected_version: -1 }),
        /expected_version/,
      ],
      ['an array body', [created(userId)], /body/],
      ['a string body', '"USER_CREATED"', /body/],
      ['a null body', 'null', /body/],
      ['malformed JSON', '{"user_id": ', /JSON/],
      ['an empty body', '', /body/],
    ];
    it.each(cases)('%s', async (_, body, mentions) => {
      const response = await postCommand(body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(response.body).toMatchObject({
        message: expect.any(String),
        code: expect.stringMatching(/^INVALID_(REQUEST|JSON)$/),
        status: 400,
      });
      expect(response.body.errors.join(' ')).toMatch(mentions);
      const fields = response.body.fields as { path: string; message: string }[];
      expect(fields).toHaveLength(response.body.errors.length);
      expect(fields.map(({ path, message }) => `${path} ${message}`).join(' ')).toMatch(mentions);
    });

    it('stores nothing for any of them', async () => {
      expect((await get(`/history?user_id=${userId}`)).status).toBe(404);
    });
  });

  it('says what is wrong with a field in words a person can be shown', async () => {
    const response = await postCommand(balance(uniqueUserId(), 0));
    expect(response).toMatchObject({
      status: 400,
      body: {
        message: 'Invalid request',
        code: 'INVALID_REQUEST',
        title: 'Invalid request',
        status: 400,
        detail: 'Invalid request',
        errors: ['/body/payload/delta must not be 0'],
        fields: [{ path: '/body/payload/delta', message: 'must not be 0' }],
      },
    });
  });

  it('refuses a body over 64 KB with 413', async () => {
    const response = await postCommand({ ...created(uniqueUserId()), pad: 'x'.repeat(65 * 1024) });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({
      message: 'Request body exceeds 65536 bytes',
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('refuses a malformed Idempotency-Key header with 400', async () => {
    const response = await postCommand(created(uniqueUserId()), {
      'idempotency-key': 'k'.repeat(129),
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.join(' ')).toMatch(/idempotency-key/);
  });

  describe('business rules', () => {
    it('409 when the user already exists', async () => {
      const userId = uniqueUserId();
      await postCommand(created(userId));
      const response = await postCommand(created(userId, 'Mallory'));
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({
        message: 'User already exists',
        code: 'USER_ALREADY_EXISTS',
      });
    });

    it('404 for a command on a user that does not exist', async () => {
      const response = await postCommand(balance(uniqueUserId(), 5));
      expect(response).toMatchObject({ status: 404, body: { message: 'User ID not found' } });
      expect(response.body).toEqual({
        message: 'User ID not found',
        code: 'USER_NOT_FOUND',
        type: 'https://github.com/users-cqrs/errors#USER_NOT_FOUND',
        title: 'User not found',
        status: 404,
        detail: 'User ID not found',
      });
    });

    it('410 for any command on a deleted user', async () => {
      const userId = uniqueUserId();
      await postCommand(created(userId));
      await postCommand({ user_id: userId, event_type: 'USER_DELETED', payload: {} });
      for (const command of [
        balance(userId, 1),
        created(userId),
        { user_id: userId, event_type: 'USER_UPDATED', payload: { name: 'B' } },
        { user_id: userId, event_type: 'USER_DELETED', payload: {} },
      ]) {
        expect(await postCommand(command)).toMatchObject({
          status: 410,
          body: { code: 'USER_DELETED', message: 'User has been deleted' },
        });
      }
    });

    it('422 when the balance would go below 0, and nothing is stored', async () => {
      const userId = uniqueUserId();
      await postCommand(created(userId));
      await postCommand(balance(userId, 10));
      const response = await postCommand(balance(userId, -11));
      expect(response).toMatchObject({
        status: 422,
        body: {
          message: 'Balance cannot go below 0',
          code: 'INSUFFICIENT_BALANCE',
          balance: 10,
          delta: -11,
        },
      });
      await storedSequences(userId, [1, 2]);
    });

    it('an update that changes nothing stores nothing and answers the current sequence', async () => {
      const userId = uniqueUserId();
      await postCommand(created(userId));
      const response = await postCommand({
        user_id: userId,
        event_type: 'USER_UPDATED',
        payload: { name: 'Alice' },
      });
      expect(response).toMatchObject({ status: 200, body: { message: 'No change', sequence: 1 } });
    });
  });

  describe('optimistic concurrency', () => {
    it('409 with current_version when expected_version is stale, and nothing is stored', async () => {
      const userId = uniqueUserId();
      await postCommand(created(userId));
      const stale = await postCommand(balance(userId, 5, { expected_version: 0 }));
      expect(stale).toMatchObject({
        status: 409,
        body: { message: 'Version conflict', code: 'VERSION_CONFLICT', current_version: 1 },
      });
      const fresh = await postCommand(balance(userId, 5, { expected_version: 1 }));
      expect(fresh).toMatchObject({ status: 200, body: { sequence: 2 } });
      await storedSequences(userId, [1, 2]);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the original answer for a retry and stores one event', async () => {
      const userId = uniqueUserId();
      await postCommand(created(userId));
      const key = randomUUID();
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          postCommand(balance(userId, 3), { 'idempotency-key': key }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(8).fill(200));
      expect(new Set(responses.map((response) => response.body.event_id)).size).toBe(1);
      await storedSequences(userId, [1, 2]);
    });

    it('replays a refusal although the user changed since, and stores nothing', async () => {
      const userId = uniqueUserId();
      const key = randomUUID();
      const refused = await postCommand(balance(userId, 3), { 'idempotency-key': key });
      expect(refused.status).toBe(404);
      await postCommand(created(userId));
      const retry = await postCommand(balance(userId, 3), { 'idempotency-key': key });
      expect({ status: retry.status, body: retry.body }).toEqual({
        status: refused.status,
        body: refused.body,
      });
      await storedSequences(userId, [1]);
    });

    it('replays the answer to the same JSON with its keys in another order', async () => {
      const userId = uniqueUserId();
      const key = randomUUID();
      const first = await postCommand(created(userId), { 'idempotency-key': key });
      const reordered = `{"payload":{"email":"alice@example.com","name":"Alice"},
        "event_type":"USER_CREATED",   "user_id":${JSON.stringify(userId)}}`;
      const retry = await postCommand(reordered, { 'idempotency-key': key });
      expect(retry).toMatchObject({ status: 200, body: first.body });
    });

    it('does not record a request refused as invalid (400)', async () => {
      const userId = uniqueUserId();
      await postCommand(created(userId));
      const key = randomUUID();
      const invalid = await postCommand(balance(userId, 0), { 'idempotency-key': key });
      expect(invalid.status).toBe(400);
      const valid = await postCommand(balance(userId, 3), { 'idempotency-key': key });
      expect(valid).toMatchObject({ status: 200, body: { sequence: 2 } });
    });

    it('422 for the same key with a different body', async () => {
      const userId = uniqueUserId();
      await postCommand(created(userId));
      const key = randomUUID();
      await postCommand(balance(userId, 3), { 'idempotency-key': key });
      const response = await postCommand(balance(userId, 4), { 'idempotency-key': key });
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({
        message: expect.stringMatching(/Idempotency-Key/),
        code: 'IDEMPOTENCY_KEY_REUSED',
      });
    });
  });

  it('records X-Correlation-Id on the event and echoes it back', async () => {
    const response = await postCommand(created(uniqueUserId()), {
      'x-correlation-id': 'trace-123',
    });
    expect(response.headers.get('x-correlation-id')).toBe('trace-123');
  });

  it('echoes X-Correlation-Id on every error, and makes one up when none is given', async () => {
    const userId = uniqueUserId();
    const errors: [number, unknown][] = [
      [400, '{"user_id": '],
      [400, balance(userId, 0)],
      [404, balance(userId, 1)],
      [413, { ...created(userId), pad: 'x'.repeat(65 * 1024) }],
    ];
    for (const [status, body] of errors) {
      const traced = await postCommand(body, { 'x-correlation-id': `trace-${status}` });
      expect(traced.status).toBe(status);
      expect(traced.headers.get('x-correlation-id')).toBe(`trace-${status}`);
      const untraced = await postCommand(body);
      expect(untraced.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
