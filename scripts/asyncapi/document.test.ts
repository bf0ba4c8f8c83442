import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import asyncApiDocument from '../../services/query-service/src/portal/asyncapi.generated.json';
import { INTEGRATION_EVENT_TYPES } from '../../shared/src/integration/schemas';

/** Every `$ref` in the document, with the JSON pointer it names. */
const refsOf = (node: unknown, found: string[] = []): string[] => {
  if (Array.isArray(node)) for (const item of node) refsOf(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsOf(value, found);
    }
  }
  return found;
};

const resolve = (document: unknown, ref: string) =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>(
      (node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/')],
      document,
    );

describe('the AsyncAPI document of the integration events', () => {
  it('is valid AsyncAPI 3.0.0, every reference resolving', () => {
    // The AsyncAPI 3.0.0 JSON Schema (draft-07, from @asyncapi/specs): no network involved.
    const schema = require('@asyncapi/specs/schemas/3.0.0-without-$id.json');
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('uri-template', true);
    const validate = ajv.compile(schema);
    expect(validate(asyncApiDocument) ? [] : validate.errors).toEqual([]);
    for (const ref of refsOf(asyncApiDocument)) {
      expect([ref, resolve(asyncApiDocument, ref) !== undefined]).toEqual([ref, true]);
    }
  });

  it('describes every integration event type, and the validator catches a broken document', () => {
    const names = Object.values(asyncApiDocument.components.messages).map((m) => m.name);
    expect(names.sort()).toEqual([...INTEGRATION_EVENT_TYPES].sort());
    const schema = require('@asyncapi/specs/schemas/3.0.0-without-$id.json');
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    ajv.addFormat('uri-template', true);
    const broken = { ...asyncApiDocument, info: { title: 'no version' } };
    expect(ajv.compile(schema)(broken)).toBe(false);
  });

  it('gives subscribers what generators need: named schemas, typed constants, an example each', () => {
    const { messages, schemas } = asyncApiDocument.components;
    const inlined = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(inlined);
      if (!node || typeof node !== 'object') return node;
      const { $ref } = node as { $ref?: string };
      if ($ref) return inlined(resolve(asyncApiDocument, $ref));
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inlined(value)]));
    };
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    for (const message of Object.values(messages)) {
      expect(message.payload.$ref).toMatch(/^#\/components\/schemas\/[A-Za-z]+$/);
      const validate = ajv.compile(inlined(message.payload) as object);
      expect(message.examples).toHaveLength(1);
      for (const { payload } of message.examples) {
        expect([message.name, validate(payload) ? [] : validate.errors]).toEqual([
          message.name,
          [],
        ]);
        expect(payload['detail-type']).toBe(message.name);
      }
    }
    const untyped = (node: unknown, at: string): string[] => {
      if (!node || typeof node !== 'object') return [];
      const here = ('const' in node || 'enum' in node) && !('type' in node) ? [at] : [];
      return [
        ...here,
        ...Object.entries(node).flatMap(([key, value]) => untyped(value, `${at}/${key}`)),
      ];
    };
    expect(untyped(schemas, '#/components/schemas')).toEqual([]);
  });

  it("shows an erasure's request and its cancellation as one user's life has them", () => {
    const { userErasureRequested, userErasureCancelled } = asyncApiDocument.components.messages;
    const [request] = userErasureRequested.examples.map((example) => example.payload.detail);
    const [cancellation] = userErasureCancelled.examples.map((example) => example.payload.detail);
    // A cancellation names the request it calls off by its due date, and comes after it.
    expect(cancellation?.data).toEqual(request?.data);
    expect(cancellation?.version).toBe((request?.version ?? 0) + 1);
    expect(Date.parse(request?.data.erase_after ?? '')).toBeGreaterThan(
      Date.parse(request?.occurred_at ?? ''),
    );
  });

  it('has the publisher send and subscribers receive every message on the bus', () => {
    const { operations } = asyncApiDocument;
    expect(Object.values(operations).map(({ action }) => action)).toEqual(['send', 'receive']);
    for (const operation of Object.values(operations)) {
      expect(operation.messages).toHaveLength(INTEGRATION_EVENT_TYPES.length);
    }
  });
});
