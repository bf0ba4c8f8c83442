import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { generateKeyPair, SignJWT } from 'jose';
import { exampleBody } from '../shared/src/http/error-schema';
import { eventually } from '../test/support/http';
import { LOCAL_AUDIENCE, signLocalToken } from './local-stack/local-issuer';
import { STATE_DIR } from './local-stack/paths';
import { type LocalStack, startLocalStack } from './local-stack/stack';
import { stageConfig } from './local-stack/tables';

const PORTS = { http: 3660, lambda: 3662, dynamodb: 8760, localAws: 3664 };

let stack: LocalStack;
beforeAll(async () => {
  mkdirSync(STATE_DIR, { recursive: true });
  stack = await startLocalStack({
    ports: PORTS,
    auth: true,
    checkpointFile: join(STATE_DIR, 'auth-stream-checkpoints.json'),
    output: { logFile: join(STATE_DIR, 'auth-stack.log') },
    env: { LOG_LEVEL: 'WARN' },
  });
}, 180_000);
afterAll(() => stack?.stop());

/** What the event store holds for a user: the truth, whatever the read side shows yet. */
const storedEvents = async (userId: string) => {
  const { client, eventsTable } = stageConfig('local', { endpoint: stack.endpoint });
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: eventsTable,
      KeyConditionExpression: 'AggregateID = :id',
      ExpressionAttributeValues: { ':id': userId },
      ConsistentRead: true,
    }),
  );
  return Items;
};

const tokenFor = (subject: string, options: { admin?: boolean; expiresInSeconds?: number } = {}) =>
  signLocalToken({ subject, issuer: stack.issuer, ...options });

type Answer = { status: number; body: { message?: string; code?: string; users?: unknown[] } };
const send = async (path: string, token?: string, body?: unknown): Promise<Answer> => {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
};

const creation = (userId: string) => ({
  user_id: userId,
  event_type: 'USER_CREATED',
  payload: { name: 'Ada', email: 'ada@example.com' },
});
const routes = (userId: string): [string, unknown?][] => [
  ['/command', creation(userId)],
  ['/list'],
  [`/detail?user_id=${userId}`],
  [`/history?user_id=${userId}`],
  [`/export?user_id=${userId}`],
];

/** Signed by a key pair the stack has never seen, with the issuer's own key id. */
const forged = async (subject: string) => {
  const { privateKey } = await generateKeyPair('ES256');
  const genuine = await tokenFor(subject, { admin: true });
  const { kid } = JSON.parse(Buffer.from(genuine.split('.')[0] as string, 'base64url').toString());
  return new SignJWT({ scope: 'users/admin' })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(stack.issuer)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(subject)
    .setExpirationTime('1h')
    .sign(privateKey);
};

const unsigned = (subject: string) =>
  [
    Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'),
    Buffer.from(
      JSON.stringify({ sub: subject, iss: stack.issuer, aud: LOCAL_AUDIENCE, exp: 2e9 }),
    ).toString('base64url'),
    '',
  ].join('.');

describe('npm start -- --auth', () => {
  it('answers 401 on every route without a valid token, and stores nothing', async () => {
    const userId = `auth-${randomUUID()}`;
    const invalid: [string, string | undefined][] = [
      ['no token', undefined],
      ['garbage', 'not-a-token'],
      ['a forged signature', await forged(userId)],
      ['an unsigned token', unsigned(userId)],
      ['an expired token', await tokenFor(userId, { admin: true, expiresInSeconds: -60 })],
    ];
    for (const [what, token] of invalid) {
      for (const [path, body] of routes(userId)) {
        const answer = await send(path, token, body);
        expect([what, path, answer]).toEqual([
          what,
          path,
          { status: 401, body: exampleBody('UNAUTHORIZED') },
        ]);
      }
    }
    expect(await storedEvents(userId)).toEqual([]);
  });

  it("answers 403 to another user's command and reads, saying nothing of whether they exist", async () => {
    const alice = `alice-${randomUUID()}`;
    const bob = `bob-${randomUUID()}`;
    const nobody = `nobody-${randomUUID()}`;
    const aliceToken = await tokenFor(alice);
    expect((await send('/command', await tokenFor(bob), creation(bob))).status).toBe(200);
    for (const target of [bob, nobody]) {
      for (const [path, body] of routes(target)) {
        expect([path, await send(path, aliceToken, body)]).toEqual([
          path,
          { status: 403, body: exampleBody('FORBIDDEN') },
        ]);
      }
    }
    // Refused before the request is even validated: a 403 tells nothing about the input either.
    expect((await send('/list?limit=abc', aliceToken)).status).toBe(403);
    const invalidForBob = { ...creation(bob), payload: { name: '' } };
    expect((await send('/command', aliceToken, invalidForBob)).status).toBe(403);
    expect(await storedEvents(nobody)).toEqual([]);
    expect(await storedEvents(bob)).toHaveLength(1);
    const admin = await tokenFor('root', { admin: true });
    expect((await send(`/history?user_id=${nobody}`, admin)).status).toBe(404);
    await eventually(async () => {
      const bobsHistory = await send(`/history?user_id=${bob}`, admin);
      expect(bobsHistory.body).toMatchObject({ events: [{ sequence: 1 }] });
    });
  });

  it('lets a user act on and read their own data, and only an administrator list everyone', async () => {
    const alice = `alice-${randomUUID()}`;
    const token = await tokenFor(alice);
    expect((await send('/command', token, creation(alice))).status).toBe(200);
    for (
      let attempt = 0;
      (await send(`/detail?user_id=${alice}`, token)).status !== 200;
      attempt++
    ) {
      if (attempt > 100) throw new Error('the detail never appeared');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await send(`/history?user_id=${alice}`, token)).status).toBe(200);
    const ownExport = await send(`/export?user_id=${alice}`, token);
    expect(ownExport).toMatchObject({ status: 200, body: { events: [{ sequence: 1 }] } });
    expect((await send('/list', token)).status).toBe(403);

    const admin = await tokenFor('root', { admin: true });
    const listed = await send('/list?limit=100', admin);
    expect(listed.status).toBe(200);
    expect((await send('/command', admin, creation(`made-by-admin-${randomUUID()}`))).status).toBe(
      200,
    );
  });

  it('lets a user ask for their erasure and call it off, but only an administrator erase at once', async () => {
    const alice = `alice-${randomUUID()}`;
    const token = await tokenFor(alice);
    const own = (event_type: string) =>
      send('/command', token, { user_id: alice, event_type, payload: {} });
    expect((await send('/command', token, creation(alice))).status).toBe(200);
    const immediate = await own('USER_ERASED');
    expect([immediate.status, immediate.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await own('USER_ERASURE_REQUESTED')).status).toBe(200);
    expect((await own('USER_ERASURE_CANCELLED')).status).toBe(200);
    expect((await storedEvents(alice)).map((event) => event.EventType)).toEqual([
      'USER_CREATED',
      'USER_ERASURE_REQUESTED',
      'USER_ERASURE_CANCELLED',
    ]);
    const admin = await tokenFor('root', { admin: true });
    expect(
      (await send('/command', admin, { user_id: alice, event_type: 'USER_ERASED', payload: {} }))
        .status,
    ).toBe(200);
  });

  it("keeps one caller's Idempotency-Key apart from another's", async () => {
    const alice = `alice-${randomUUID()}`;
    const bob = `bob-${randomUUID()}`;
    const key = `order-${randomUUID()}`;
    const keyed = async (subject: string, body: unknown) => {
      const response = await fetch(`${stack.baseUrl}/command`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await tokenFor(subject)}`, 'idempotency-key': key },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const bobsRefused = { user_id: bob, event_type: 'USER_BALANCE', payload: { delta: 1 } };
    expect(await keyed(bob, bobsRefused)).toMatchObject({ status: 404 });
    // Alice's first command with the same key is hers: stored, not "already used".
    expect(await keyed(alice, creation(alice))).toMatchObject({
      status: 200,
      body: { sequence: 1 },
    });
    expect(await keyed(bob, bobsRefused)).toMatchObject({ status: 404 });
    expect(await storedEvents(alice)).toHaveLength(1);
  });

  it('lets only an administrator read /stats, as every route: 401 without a token, 403 for a user', async () => {
    const path = '/stats?from=2026-12-01&to=2026-12-01';
    expect((await send(path)).status).toBe(401);
    expect((await send(path, await tokenFor(`user-${randomUUID()}`))).status).toBe(403);
    expect((await send(path, await tokenFor('root', { admin: true }))).status).toBe(200);
  });

  it("makes no administrator of an issuer's group text (only Cognito's groups are read)", async () => {
    for (const groups of [['billing admin'], ['admin', 'assistants'], ['admin']]) {
      const token = await signLocalToken({
        subject: `sub-${randomUUID()}`,
        issuer: stack.issuer,
        claims: { 'cognito:groups': groups, groups },
      });
      expect((await send('/list', token)).status).toBe(403);
    }
  });

  it('answers any Authorization header with 401 JSON or a valid answer, never a 5xx', async () => {
    const valid = await tokenFor('fuzz-user');
    const header = fc.oneof(
      fc.string(),
      fc.string().map((s) => `Bearer ${s}`),
      fc
        .tuple(fc.base64String(), fc.base64String(), fc.base64String())
        .map((parts) => `Bearer ${parts.join('.')}`),
      fc.integer({ min: 0, max: valid.length - 1 }).map((cut) => `Bearer ${valid.slice(0, cut)}`),
      fc
        .tuple(
          fc.integer({ min: 0, max: valid.length - 1 }),
          fc.string({ minLength: 1, maxLength: 1 }),
        )
        .map(([at, c]) => `Bearer ${valid.slice(0, at)}${c}${valid.slice(at + 1)}`),
    );
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.constantFrom('/list', '/detail?user_id=fuzz-user'),
        async (h, path) => {
          const response = await fetch(`${stack.baseUrl}${path}`, {
            headers: { authorization: h.replace(/[^\x20-\x7e]/g, '') },
          });
          const body = await response.json();
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400)
            expect(body).toEqual(expect.objectContaining({ message: expect.any(String) }));
        },
      ),
      { numRuns: 200 },
    );
  });
});
