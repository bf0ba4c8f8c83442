import { withExplicitTypes } from './explicit-types';

describe('withExplicitTypes', () => {
  it('types each const and enum by its values, and untyped allOf members by their parent', () => {
    const schema = {
      type: 'object',
      properties: {
        version: { const: 1 },
        kind: { enum: ['a', 'b'] },
        mixed: { enum: ['a', 1] },
        erased: { const: true },
        delta: { type: 'integer', not: { const: 0 } },
        name: { type: 'string', allOf: [{ pattern: '^a' }, { $ref: '#/x' }] },
        // A property may be called `enum`: the map of properties is no schema.
        enum: { type: 'string' },
      },
    };
    expect(withExplicitTypes({ components: { schemas: { S: schema } } })).toEqual({
      components: {
        schemas: {
          S: {
            type: 'object',
            properties: {
              version: { const: 1, type: 'integer' },
              kind: { enum: ['a', 'b'], type: 'string' },
              mixed: { enum: ['a', 1] },
              erased: { const: true, type: 'boolean' },
              delta: { type: 'integer', not: { const: 0, type: 'integer' } },
              name: { type: 'string', allOf: [{ pattern: '^a', type: 'string' }, { $ref: '#/x' }] },
              enum: { type: 'string' },
            },
          },
        },
      },
    });
  });

  it('leaves what is not a schema alone: server variables, examples', () => {
    const document = {
      servers: [{ url: 'https://{region}', variables: { region: { default: 'a', enum: ['a'] } } }],
      paths: {
        '/x': {
          get: {
            responses: {
              '200': {
                content: {
                  'application/json': {
                    schema: { const: 'x' },
                    example: { const: 'x' },
                  },
                },
              },
            },
          },
        },
      },
    };
    const typed = withExplicitTypes(document);
    expect(typed.servers).toEqual(document.servers);
    expect(typed.paths['/x'].get.responses['200'].content['application/json']).toEqual({
      schema: { const: 'x', type: 'string' },
      example: { const: 'x' },
    });
  });
});
