import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { COMMAND_TYPES } from '../../services/command-service/src/domain/commands';
import document from '../../services/query-service/src/portal/openapi.generated.json';
import { EVENT_TYPES } from '../../shared/src/events/schemas';

type Node = Record<string, unknown>;
type Operation = {
  operationId?: string;
  tags?: string[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
};

const schemas = document.components.schemas as Record<string, Node>;
const operations = Object.entries(document.paths as Record<string, Record<string, Operation>>)
  .flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      name: `${method} ${path}`,
      operation,
    })),
  )
  .sort((a, b) => a.name.localeCompare(b.name));

/** Every schema in the document (components, parameters, bodies, headers), with where it is. */
const schemasIn = (node: unknown, at: string, found: [string, Node][] = []): [string, Node][] => {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) schemasIn(item, `${at}/${i}`, found);
  } else if (node && typeof node === 'object') {
    if ('const' in node || 'enum' in node) found.push([at, node as Node]);
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'example' && key !== 'examples') schemasIn(value, `${at}/${key}`, found);
    }
  }
  return found;
};

/** A schema with each `#/components/schemas/...` reference replaced by the schema it names. */
const resolved = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(resolved);
  if (!schema || typeof schema !== 'object') return schema;
  const name = (schema as { $ref?: string }).$ref?.match(/^#\/components\/schemas\/(.+)$/)?.[1];
  if (name) return resolved(schemas[name]);
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, resolved(value)]));
};

/** The discriminator's mapping, checked against the branches it names. */
const mappingOf = (union: Node) => {
  const { oneOf, discriminator } = union as {
    oneOf: { $ref: string }[];
    discriminator: { propertyName: string; mapping: Record<string, string> };
  };
  expect(Object.values(discriminator.mapping)).toEqual(oneOf.map(({ $ref }) => $ref));
  for (const [value, $ref] of Object.entries(discriminator.mapping)) {
    const branch = schemas[$ref.replace('#/components/schemas/', '')] as {
      properties: Record<string, unknown>;
    };
    expect(branch.properties[discriminator.propertyName]).toEqual({ const: value, type: 'string' });
  }
  return discriminator.mapping;
};

describe('the OpenAPI document, as code generators read it', () => {
  it('names every operation, tags it with a declared tag, and says where the API answers', () => {
    const declared = document.tags.map(({ name }) => name);
    expect(
      operations.filter(
        ({ operation }) =>
          !operation.operationId || !operation.tags?.every((tag) => declared.includes(tag)),
      ),
    ).toEqual([]);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.servers.map(({ url }) => url)).toEqual([
      'http://localhost:3000',
      'https://{apiId}.execute-api.{region}.amazonaws.com',
    ]);
  });

  it('gives each command a named schema, the body a discriminated union of them', () => {
    const body = document.paths['/command'].post.requestBody.content['application/json'].schema;
    expect(body).toEqual({ $ref: '#/components/schemas/Command' });
    const union = schemas.Command as Node;
    expect(Object.keys(mappingOf(union)).sort()).toEqual([...COMMAND_TYPES].sort());
    expect(union.type).toBe('object');
    expect(schemas.CreateUserCommand).toMatchObject({
      type: 'object',
      required: ['user_id', 'event_type', 'payload'],
    });
  });

  it("types each history entry's payload, as a union keyed on event_type", () => {
    const mapping = mappingOf(schemas.HistoryEvent as Node);
    expect(Object.keys(mapping).sort()).toEqual([...EVENT_TYPES].sort());
    const history = resolved(
      document.paths['/history'].get.responses['200'].content['application/json'].schema,
    ) as object;
    const validate = addFormats(new Ajv2020({ strict: false })).compile(history);
    const page = (events: unknown[]) => ({ user_id: 'user-001', events });
    const entry = (sequence: number, event_type: string, payload: object, erased = false) => ({
      sequence,
      event_type,
      payload,
      occurred_at: '2026-11-29T12:00:00.000Z',
      ...(erased && { personal_data_erased: true }),
    });
    expect(
      validate(
        page([
          entry(1, 'USER_CREATED', { name: 'Alice', email: 'alice@example.com' }),
          entry(2, 'USER_BALANCE', { delta: -5 }),
          entry(3, 'USER_UPDATED', { email: 'alice@example.org' }),
        ]),
      ),
    ).toBe(true);
    // An erased user's entries: personal fields null, everything else kept (an erasure's due
    // date is nothing personal).
    const due = { erase_after: '2026-12-29T12:00:00.000Z' };
    expect(
      validate(
        page([
          entry(1, 'USER_CREATED', { name: null, email: null }, true),
          entry(2, 'USER_BALANCE', { delta: 25 }, true),
          entry(3, 'USER_ERASURE_REQUESTED', due, true),
          entry(4, 'USER_ERASURE_CANCELLED', due, true),
          entry(5, 'USER_ERASED', {}, true),
        ]),
      ),
    ).toBe(true);
    for (const wrong of [
      entry(1, 'USER_BALANCE', { name: 'Alice' }),
      entry(1, 'USER_CREATED', { name: 'Alice' }),
      entry(1, 'USER_PROMOTED', {}),
      entry(1, 'USER_ERASURE_REQUESTED', {}),
      entry(1, 'USER_ERASURE_CANCELLED', { erase_after: 'tomorrow' }),
    ]) {
      expect([wrong, validate(page([wrong]))]).toEqual([wrong, false]);
    }
  });

  it('says the type beside every const and enum', () => {
    const untyped = schemasIn(document, '#').filter(([, schema]) => schema.type === undefined);
    expect(untyped.map(([at]) => at)).toEqual([]);
  });

  it('documents what is on the wire: 429 everywhere, Retry-After on 503, the replay marker', () => {
    expect(operations.filter(({ operation }) => !operation.responses['429'])).toEqual([]);
    for (const { name, operation } of operations) {
      const unavailable = operation.responses['503'];
      if (unavailable)
        expect([name, unavailable.headers]).toEqual([
          name,
          expect.objectContaining({ 'Retry-After': expect.anything() }),
        ]);
    }
    const command = document.paths['/command'].post.responses as Operation['responses'];
    for (const status of ['200', '404', '409', '410', '422']) {
      expect([status, command[status]?.headers]).toEqual([
        status,
        expect.objectContaining({ 'Idempotent-Replayed': expect.anything() }),
      ]);
    }
  });
});
