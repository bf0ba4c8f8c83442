import { eventually, get, postCommand, uniqueUserId } from '../../../../test/support/http';

const command = async (userId: string, eventType: string, payload: object) => {
  const response = await postCommand({ user_id: userId, event_type: eventType, payload });
  expect(response.status).toBe(200);
  return response.body;
};
const createUser = (userId: string, name = 'Alice', email = 'alice@example.com') =>
  command(userId, 'USER_CREATED', { name, email });

const detailOf = (userId: string, query = '') =>
  get(`/detail?user_id=${encodeURIComponent(userId)}${query}`);

const allListedUsers = async (limit: number) => {
  const users: { UserID: string; Name: string }[] = [];
  let token: string | undefined;
  do {
    const page = await get(`/list?limit=${limit}${token ? `&next_token=${token}` : ''}`);
    expect(page.status).toBe(200);
    expect(page.body.users.length).toBeLessThanOrEqual(limit);
    users.push(...page.body.users);
    token = page.body.next_token;
  } while (token);
  return users;
};

describe('the read side follows the events', () => {
  it('shows a created user with the balance changes in /detail and /list', async () => {
    const userId = uniqueUserId();
    await createUser(userId);
    await command(userId, 'USER_BALANCE', { delta: 30 });
    await command(userId, 'USER_BALANCE', { delta: -12 });

    const detail = await eventually(async () => {
      const response = await detailOf(userId);
      expect(response.body.Version).toBe(3);
      return response;
    });
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual({
      UserID: userId,
      Name: 'Alice',
      Email: 'alice@example.com',
      Balance: 18,
      Version: 3,
      CreatedAt: expect.any(String),
      UpdatedAt: expect.any(String),
    });
    expect(await allListedUsers(100)).toContainEqual({ UserID: userId, Name: 'Alice' });
  });

  it('applies USER_UPDATED to detail and list', async () => {
    const userId = uniqueUserId();
    await createUser(userId);
    await command(userId, 'USER_UPDATED', { name: 'Alicia', email: 'alicia@example.com' });
    await eventually(async () => {
      expect((await detailOf(userId)).body).toMatchObject({
        Name: 'Alicia',
        Email: 'alicia@example.com',
        Version: 2,
      });
    });
    expect(await allListedUsers(100)).toContainEqual({ UserID: userId, Name: 'Alicia' });
  });

  it('removes a deleted user from detail and list but keeps the history', async () => {
    const userId = uniqueUserId();
    await createUser(userId);
    await eventually(async () => expect((await detailOf(userId)).status).toBe(200));
    await command(userId, 'USER_DELETED', {});
    await eventually(async () => expect((await detailOf(userId)).status).toBe(404));
    expect((await allListedUsers(100)).map((user) => user.UserID)).not.toContain(userId);
    // Its past is no way round the 404 (reading-rules.ts).
    for (const version of [1, 2]) {
      expect(await detailOf(userId, `&version=${version}`)).toMatchObject({
        status: 404,
        body: { code: 'USER_NOT_FOUND' },
      });
    }
    const history = await get(`/history?user_id=${userId}`);
    expect(history.body.events.map((event: { event_type: string }) => event.event_type)).toEqual([
      'USER_CREATED',
      'USER_DELETED',
    ]);
  });
});

describe('GET /detail', () => {
  it('400 without user_id, 404 for an unknown user', async () => {
    const missing = await get('/detail');
    expect(missing.status).toBe(400);
    expect(missing.body.errors.join(' ')).toMatch(/user_id/);
    expect(missing.body).toMatchObject({
      code: 'INVALID_REQUEST',
      fields: [{ path: '/queryStringParameters/user_id', message: 'is required' }],
    });
    const unknown = await detailOf(uniqueUserId());
    expect(unknown).toMatchObject({ status: 404, body: { message: 'User ID not found' } });
    expect(unknown.body).toEqual({
      message: 'User ID not found',
      code: 'USER_NOT_FOUND',
      type: 'https://github.com/users-cqrs/errors#USER_NOT_FOUND',
      title: 'User not found',
      status: 404,
      detail: 'User ID not found',
    });
  });

  it('travels in time with version=N', async () => {
    const userId = uniqueUserId();
    await createUser(userId);
    await command(userId, 'USER_BALANCE', { delta: 5 });
    await command(userId, 'USER_UPDATED', { name: 'Alicia' });
    await eventually(async () => expect((await detailOf(userId)).body.Version).toBe(3));

    expect((await detailOf(userId, '&version=1')).body).toMatchObject({
      Name: 'Alice',
      Balance: 0,
      Version: 1,
    });
    expect((await detailOf(userId, '&version=2')).body).toMatchObject({
      Name: 'Alice',
      Balance: 5,
      Version: 2,
    });
    expect((await detailOf(userId, '&version=3')).body).toMatchObject({
      Name: 'Alicia',
      Balance: 5,
      Version: 3,
    });
    // Past the user's newest version: not the unknown user's 404.
    expect(await detailOf(userId, '&version=4')).toMatchObject({
      status: 404,
      body: { message: 'Version not found', code: 'VERSION_NOT_FOUND', status: 404 },
    });
    for (const bad of ['0', '-1', '1.5', 'abc', '']) {
      const response = await detailOf(userId, `&version=${bad}`);
      expect(response.status).toBe(400);
      expect(response.body.errors.join(' ')).toMatch(/version/);
      expect(response.body.fields).toContainEqual({
        path: '/queryStringParameters/version',
        message: expect.any(String),
      });
    }
  });

  it("reads your own write: min_version=<the command's sequence> waits out the projector's lag", async () => {
    const userId = uniqueUserId();
    const { sequence: created } = await createUser(userId);
    const detail = await detailOf(userId, `&min_version=${created}`);
    expect(detail).toMatchObject({ status: 200, body: { UserID: userId, Version: created } });
    expect(detail.headers.get('etag')).toBe(`W/"${created}"`);

    const { sequence } = await command(userId, 'USER_BALANCE', { delta: 5 });
    const history = await get(`/history?user_id=${userId}&min_version=${sequence}`);
    expect(history.status).toBe(200);
    expect(history.body.events.map((event: { sequence: number }) => event.sequence)).toEqual([
      1, 2,
    ]);
  });

  it('answers a version not reached 409 VERSION_NOT_REACHED with Retry-After, never 404', async () => {
    // Not projected yet or never created: the read side cannot tell (docs/api.md).
    const unknown = await detailOf(uniqueUserId(), '&min_version=1');
    expect(unknown).toMatchObject({
      status: 409,
      body: { code: 'VERSION_NOT_REACHED', min_version: 1, current_version: 0 },
    });
    expect(unknown.headers.get('retry-after')).toBe('1');
    expect((await detailOf(uniqueUserId(), '&min_version=0')).status).toBe(400);
  });

  // Through serverless-offline as through API Gateway, which hand the handler `user_id: "a,b"`.
  it('400 for user_id given twice, never the user whose id joins the two with a comma', async () => {
    const [first, second] = [uniqueUserId(), uniqueUserId()];
    await createUser(`${first},${second}`);
    await eventually(async () => expect((await detailOf(`${first},${second}`)).status).toBe(200));
    const twice = await get(
      `/detail?user_id=${encodeURIComponent(first)}&user_id=${encodeURIComponent(second)}`,
    );
    expect(twice.status).toBe(400);
    expect(twice.body).toMatchObject({
      code: 'INVALID_REQUEST',
      fields: [{ path: '/queryStringParameters/user_id', message: 'must be given once' }],
    });
  });
});

describe('GET /list paging', () => {
  it('yields every user exactly once across pages', async () => {
    const ids = Array.from({ length: 7 }, () => uniqueUserId('page'));
    for (const id of ids) await createUser(id, `Name ${id}`);
    await eventually(async () => {
      const everyone = (await allListedUsers(100)).map((user) => user.UserID);
      for (const id of ids) expect(everyone).toContain(id);
    });

    const paged = (await allListedUsers(3)).map((user) => user.UserID);
    expect(new Set(paged).size).toBe(paged.length);
    for (const id of ids) expect(paged).toContain(id);
  });

  it('has no next_token on the last page', async () => {
    const everyone = await allListedUsers(100);
    const single = await get(`/list?limit=${Math.min(everyone.length + 1, 100)}`);
    if (everyone.length < 100) expect(single.body.next_token).toBeUndefined();
  });

  it('400 for a bad limit or a tampered next_token', async () => {
    for (const limit of ['0', '101', '-5', 'ten', '1.5']) {
      expect((await get(`/list?limit=${limit}`)).status).toBe(400);
    }
    const first = await get('/list?limit=1');
    const token: string = first.body.next_token;
    expect(token).toEqual(expect.any(String));
    const [data, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify(['list', { UserID: 'someone-else' }])).toString(
      'base64url',
    );
    for (const bad of [
      `${forged}.${signature}`,
      `${data}.${signature?.slice(1)}x`,
      'garbage',
      `${data}`,
    ]) {
      const response = await get(`/list?limit=1&next_token=${encodeURIComponent(bad)}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ message: expect.any(String), code: 'INVALID_REQUEST' });
      expect(response.body.fields.map(({ path }: { path: string }) => path)).toContain(
        '/queryStringParameters/next_token',
      );
    }
  });
});

describe('GET /history', () => {
  it('pages through a user in version order', async () => {
    const userId = uniqueUserId();
    await createUser(userId);
    for (const delta of [1, 2, 3, 4]) await command(userId, 'USER_BALANCE', { delta });
    await eventually(async () => expect((await detailOf(userId)).body.Version).toBe(5));

    const sequences: number[] = [];
    let token: string | undefined;
    do {
      const page = await get(
        `/history?user_id=${userId}&limit=2${token ? `&next_token=${token}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.user_id).toBe(userId);
      sequences.push(...page.body.events.map((event: { sequence: number }) => event.sequence));
      token = page.body.next_token;
    } while (token);
    expect(sequences).toEqual([1, 2, 3, 4, 5]);

    const first = (await get(`/history?user_id=${userId}&limit=1`)).body.events[0];
    expect(first).toEqual({
      sequence: 1,
      event_type: 'USER_CREATED',
      payload: { name: 'Alice', email: 'alice@example.com' },
      occurred_at: expect.any(String),
    });
  });

  it('404 for an unknown user, 400 without user_id or with a token from another user', async () => {
    expect(await get(`/history?user_id=${uniqueUserId()}`)).toMatchObject({
      status: 404,
      body: { message: 'User ID not found', code: 'USER_NOT_FOUND' },
    });
    expect((await get('/history')).status).toBe(400);
    const userId = uniqueUserId();
    await createUser(userId);
    await command(userId, 'USER_BALANCE', { delta: 1 });
    const token = await eventually(async () => {
      const page = await get(`/history?user_id=${userId}&limit=1`);
      expect(page.body.next_token).toEqual(expect.any(String));
      return page.body.next_token as string;
    });
    const other = uniqueUserId();
    await createUser(other);
    expect((await get(`/history?user_id=${other}&next_token=${token}`)).status).toBe(400);
  });
});

describe('a user erased over HTTP (USER_ERASED)', () => {
  it('leaves /list and /detail, keeps a history without personal data, and refuses commands', async () => {
    const userId = uniqueUserId('erased');
    await createUser(userId, 'Erin Canary', 'erin.canary@example.com');
    await command(userId, 'USER_BALANCE', { delta: 12 });
    await eventually(async () => expect((await detailOf(userId)).body.Version).toBe(2));
    expect((await detailOf(userId, '&version=1')).body.Name).toBe('Erin Canary');

    expect(await command(userId, 'USER_ERASED', {})).toMatchObject({ sequence: 3 });
    await eventually(async () => expect((await detailOf(userId)).status).toBe(404));
    expect((await allListedUsers(100)).map((user) => user.UserID)).not.toContain(userId);

    const history = await get(`/history?user_id=${userId}`);
    expect(history.body.events).toEqual([
      expect.objectContaining({
        sequence: 1,
        event_type: 'USER_CREATED',
        payload: { name: null, email: null },
        personal_data_erased: true,
      }),
      expect.objectContaining({ sequence: 2, payload: { delta: 12 }, personal_data_erased: true }),
      expect.objectContaining({ sequence: 3, event_type: 'USER_ERASED', payload: {} }),
    ]);
    const past = await detailOf(userId, '&version=2');
    expect(past).toMatchObject({ status: 404, body: { code: 'USER_NOT_FOUND' } });
    expect(JSON.stringify([history.body, past.body])).not.toMatch(/Erin|erin/);

    const refused = await postCommand({
      user_id: userId,
      event_type: 'USER_BALANCE',
      payload: { delta: 1 },
    });
    expect(refused).toMatchObject({ status: 410, body: { code: 'USER_ERASED' } });
  });
});
