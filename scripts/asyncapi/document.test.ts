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
});
