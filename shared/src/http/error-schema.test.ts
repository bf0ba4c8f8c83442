import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import document from '../../../services/query-service/src/portal/openapi.generated.json';
import { ERROR_CODE_LIST, ERROR_CODES, type ErrorCode } from './error-codes';
import { errorResponses, exampleBody } from './error-schema';

/** The published document's schemas, as a client's validator reads them. */
const ajv = addFormats(new Ajv2020({ strict: false, discriminator: true, validateSchema: false }));
ajv.addSchema(document, 'openapi');
const validatorOf = (pointer: string) => {
  const validate = ajv.getSchema(`openapi#${pointer}`);
  if (!validate) throw new Error(`no schema at ${pointer}`);
  return validate;
};
const schemaOf = (code: ErrorCode) => validatorOf(`/components/schemas/${code}`);

type Response = {
  content: { 'application/json': { examples: Record<string, { value: unknown }> } };
};
const errorAnswers = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.values(methods).flatMap((operation) =>
    Object.entries(operation.responses as Record<string, Response>)
      .filter(([status]) => Number(status) >= 400)
      .map(([status, response]) => ({ path, status, response })),
  ),
);

describe('the error contract in the OpenAPI document', () => {
  it.each(ERROR_CODE_LIST)(
    '%s: its usual answer is valid, and each field it carries is required',
    (code) => {
      const validate = schemaOf(code);
      const body = exampleBody(code);
      expect([validate(body), validate.errors]).toEqual([true, null]);
      for (const field of Object.keys(body)) {
        const { [field]: _, ...without } = body;
        expect([field, validate(without)]).toEqual([field, false]);
      }
      expect(validate({ ...body, unknown: 1 })).toBe(false);
      expect(validate({ ...body, code: 'SOMETHING_ELSE' })).toBe(false);
    },
  );

  it('gives every error answer of every route an example per code, valid for its schema', () => {
    for (const { path, status, response } of errorAnswers) {
      const media = response.content['application/json'];
      const pointer = `/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      const method = Object.keys(document.paths[path as keyof typeof document.paths])[0];
      const validate = validatorOf(
        `${pointer}/${method}/responses/${status}/content/application~1json/schema`,
      );
      for (const [name, { value }] of Object.entries(media.examples ?? {})) {
        expect([path, status, name, validate(value)]).toEqual([path, status, name, true]);
      }
    }
  });

  it('answers only the codes of the closed list, each under its own status', () => {
    const documented = errorAnswers.flatMap(({ status, response }) =>
      Object.values(response.content['application/json'].examples ?? {})
        .map(({ value }) => value as { code?: ErrorCode; status?: number })
        .filter((value) => value.code !== undefined)
        .map((value) => [value.code, value.status, Number(status)]),
    );
    for (const [code, bodyStatus, status] of documented) {
      expect([code, bodyStatus, status]).toEqual([
        code,
        ERROR_CODES[code as ErrorCode].status,
        status,
      ]);
    }
    expect(new Set(documented.map(([code]) => code))).toEqual(new Set(ERROR_CODE_LIST));
  });

  it("tells /detail's unknown user from a version it lacks, and from one not reached yet", () => {
    const detail = document.paths['/detail'].get.responses;
    expect(Object.keys(detail['404'].content['application/json'].examples)).toEqual([
      'USER_NOT_FOUND',
      'VERSION_NOT_FOUND',
    ]);
    expect(Object.keys(detail['409'].content['application/json'].examples)).toEqual([
      'VERSION_NOT_REACHED',
    ]);
    expect(detail['409'].headers).toHaveProperty('Retry-After');
  });

  it("names a status's union where a route answers all its codes, and API Gateway's answer beside it", () => {
    const responses = errorResponses([
      'INVALID_REQUEST',
      'INVALID_JSON',
      'USER_NOT_FOUND',
      'SERVICE_BUSY',
    ]);
    expect(Object.keys(responses)).toEqual(['400', '404', '503']);
    expect(responses['400']?.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/BadRequestError',
    });
    expect(responses['404']?.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/USER_NOT_FOUND',
    });
    expect(responses['503']?.content['application/json'].schema).toEqual({
      type: 'object',
      oneOf: [
        { $ref: '#/components/schemas/SERVICE_BUSY' },
        { $ref: '#/components/schemas/GatewayError' },
      ],
    });
  });

  it('gives every `const` of the error schemas its type', () => {
    const constsWithoutType: string[] = [];
    const visit = (node: unknown, where: string) => {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      if ('const' in schema && schema.type === undefined) constsWithoutType.push(where);
      for (const [key, value] of Object.entries(schema)) visit(value, `${where}/${key}`);
    };
    for (const code of ERROR_CODE_LIST) {
      visit(document.components.schemas[code as keyof typeof document.components.schemas], code);
    }
    expect(constsWithoutType).toEqual([]);
  });
});
