import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import document from '../../services/query-service/src/portal/openapi.generated.json';
import { ERROR_CODES } from '../../shared/src/http/error-codes';
import { baseUrl, uniqueUserId } from '../../test/support/http';

type Document = typeof document;
type Operation = {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
type Request = {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
};

// No `discriminator` keyword: Ajv refuses the `mapping` generators read, and `oneOf` decides alone.
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

/** A schema with each `#/components/schemas/...` reference replaced by the schema it names. */
const resolved = (doc: Document, schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map((item) => resolved(doc, item));
  if (!schema || typeof schema !== 'object') return schema;
  const name = (schema as { $ref?: string }).$ref?.match(/^#\/components\/schemas\/(.+)$/)?.[1];
  if (name) return resolved(doc, (doc.components.schemas as Record<string, unknown>)[name]);
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, resolved(doc, value)]),
  );
};

/** The documented operation a request is for: exact paths first, then templated ones. */
const operationOf = ({ method, path }: Request, doc: Document = document): [string, Operation] => {
  const pathname = path.split('?')[0] as string;
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const template =
    Object.keys(paths).find((candidate) => candidate === pathname) ??
    Object.keys(paths).find((candidate) =>
      new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(pathname),
    );
  const operation = template && paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${pathname} is not documented`);
  return [`${method} ${template}`, operation];
};

/** Sends a request and checks the answer against the document: status, media type, body. */
const checkAnswer = async (request: Request, doc: Document = document) => {
  const [name, operation] = operationOf(request, doc);
  const response = await fetch(`${baseUrl()}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  const documented = operation.responses[String(response.status)];
  expect([name, response.status, documented !== undefined]).toEqual([name, response.status, true]);
  const type = response.headers.get('content-type')?.split(';')[0] ?? '';
  const media = documented?.content?.[type] ?? documented?.content?.['*/*'];
  expect([name, response.status, type, media !== undefined]).toEqual([
    name,
    response.status,
    type,
    true,
  ]);
  if (type === 'application/json' && media?.schema) {
    const validate = ajv.compile(resolved(doc, media.schema) as object);
    const body = JSON.parse(text);
    if (!validate(body)) {
      throw new Error(
        `${name} ${response.status}: ${text.slice(0, 300)}\n${ajv.errorsText(validate.errors)}`,
      );
    }
    expect(response.headers.get('x-correlation-id')).toBeTruthy();
    // Locally every error answer is the stack's own (no API Gateway): each has a listed code.
    if (response.status >= 400) {
      expect([
        name,
        response.status,
        String((body as { code?: unknown }).code) in ERROR_CODES,
      ]).toEqual([name, response.status, true]);
    }
  }
  return response.status;
};

const users = Array.from({ length: 4 }, () => uniqueUserId('contract'));
const userId = fc.oneof(fc.constantFrom(...users), fc.constant(uniqueUserId('nobody')));
const name = fc.oneof(fc.constantFrom('Ada', 'Zoë', '李'), fc.constant(''), fc.constant('\u200b'));
const email = fc.oneof(fc.constant('ada@example.com'), fc.constant('not-an-email'));
const payloads: Record<string, fc.Arbitrary<unknown>> = {
  USER_CREATED: fc.record({ name, email }),
  USER_BALANCE: fc.record({
    delta: fc.oneof(fc.integer({ min: -50, max: 100 }), fc.constant('5')),
  }),
  USER_UPDATED: fc.record({ name, email }, { requiredKeys: [] }),
  USER_DELETED: fc.constant({}),
  USER_ERASED: fc.constantFrom({}, { why: 'x' }),
};

/** Mostly absent: most requests carry no such field. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

const command: fc.Arbitrary<Request> = fc
  .record({
    user_id: userId,
    event_type: fc.constantFrom(...Object.keys(payloads), 'USER_PROMOTED'),
    expected_version: sometimes(fc.integer({ min: -1, max: 6 })),
    key: sometimes(fc.oneof(fc.uuid(), fc.constantFrom('reused', 'k'.repeat(200)))),
    malformed: fc.oneof(
      { weight: 9, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
  })
  .chain((base) =>
    (payloads[base.event_type] ?? fc.constant({})).map((payload) => ({ ...base, payload })),
  )
  .map(({ key, malformed, ...body }) => ({
    method: 'POST' as const,
    path: '/command',
    headers: { 'content-type': 'application/json', ...(key && { 'idempotency-key': key }) },
    body: malformed ? '{"user_id": ' : JSON.stringify(body),
  }));

const query = (path: string, parameters: Record<string, string | undefined>) => {
  const search = new URLSearchParams(
    Object.entries(parameters).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();
  return { method: 'GET' as const, path: search ? `${path}?${search}` : path };
};
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const limit = fc.constantFrom('1', '5', '100', '0', '101', 'x');
const token = fc.constantFrom('abc.def', 'not a token');

const queries: fc.Arbitrary<Request> = fc.oneof(
  fc.record({ limit: optional(limit), next_token: optional(token) }).map((p) => query('/list', p)),
  fc
    .record({
      user_id: optional(userId),
      version: optional(fc.constantFrom('1', '2', '99', '0', 'x')),
    })
    .map((p) => query('/detail', p)),
  fc
    .record({ user_id: optional(userId), limit: optional(limit), next_token: optional(token) })
    .map((p) => query('/history', p)),
  fc
    .record({
      user_id: optional(userId),
      limit: optional(fc.constantFrom('1', '1000', '0', '1001', 'x')),
      next_token: optional(token),
    })
    .map((p) => query('/export', p)),
  fc
    .oneof(userId, fc.constantFrom('with%20space', 'x'.repeat(129), '%E2%80%8B'))
    .map((id) => query(`/erasures/${id}`, {})),
  fc
    .record({ user_id: optional(fc.oneof(userId, fc.constantFrom('team/a?b#c', 'with space'))) })
    .map((p) => query('/erasures', p)),
  fc.constant(query('/console/feed', {})),
  fc
    .record({
      from: optional(fc.constantFrom('2026-12-01', '2026-02-30', '12/01/2026', '2020-01-01')),
      to: optional(fc.constantFrom('2026-12-07', '2026-11-01', '2026-12-01', '')),
    })
    .map((p) => query('/stats', p)),
  fc
    .constantFrom(
      '/openapi.json',
      '/asyncapi.json',
      '/docs',
      '/docs/swagger-ui.css',
      '/docs/swagger-ui-bundle.js',
      '/docs/missing.js',
      '/console',
      '/console/app.js',
      '/console/missing.js',
    )
    .map((path) => query(path, {})),
);

describe('every answer is one the OpenAPI document describes', () => {
  it('for valid and invalid requests to every operation (seeded)', async () => {
    for (const user of users) {
      await checkAnswer({
        method: 'POST',
        path: '/command',
        body: JSON.stringify({
          user_id: user,
          event_type: 'USER_CREATED',
          payload: { name: 'Ada', email: 'ada@example.com' },
        }),
      });
    }
    const statuses = new Map<string, Set<number>>();
    // The documents themselves, every run, whatever the draws below reach.
    for (const path of ['/openapi.json', '/asyncapi.json']) {
      const request = query(path, {});
      const [name] = operationOf(request);
      statuses.set(name, new Set([await checkAnswer(request)]));
    }
    await fc.assert(
      fc.asyncProperty(fc.oneof(command, queries), async (request) => {
        const status = await checkAnswer(request);
        const [name] = operationOf(request);
        statuses.set(name, new Set([...(statuses.get(name) ?? []), status]));
      }),
      { seed: 20261129, numRuns: 400 },
    );
    // The generator reaches every operation, and both sides of the command's answers.
    expect([...statuses.keys()].sort()).toEqual(
      Object.entries(document.paths)
        .flatMap(([path, methods]) =>
          Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
        )
        .sort(),
    );
    expect([...(statuses.get('POST /command') ?? [])]).toEqual(
      expect.arrayContaining([200, 400, 404, 409, 422]),
    );
  }, 120_000);

  it('and the check fails on a status or a body the document does not describe', async () => {
    const unknownUser = { method: 'GET' as const, path: `/detail?user_id=${uniqueUserId('none')}` };
    await checkAnswer(unknownUser);
    const without404 = structuredClone(document);
    delete (without404.paths['/detail'].get.responses as Record<string, unknown>)['404'];
    await expect(checkAnswer(unknownUser, without404)).rejects.toThrow();
    const renamed = structuredClone(document);
    const userNotFound = renamed.components.schemas.USER_NOT_FOUND as {
      properties: { code: { const: string } };
    };
    userNotFound.properties.code.const = 'NO_SUCH_USER';
    await expect(checkAnswer(unknownUser, renamed)).rejects.toThrow(/constant/);
  });
});
