import { INTEGER_PARAMETERS } from '../../services/query-service/src/http/query-schemas';
import {
  validateDetailRequest,
  validateExportRequest,
  validateHistoryRequest,
  validateListRequest,
} from '../../services/query-service/src/http/query-validators';
import document from '../../services/query-service/src/portal/openapi.generated.json';
import type { Validator } from '../../shared/src/validation';

type Parameter = {
  name: string;
  in: string;
  required: boolean;
  schema: { type?: string; minimum?: number; maximum?: number };
};

/** The server's validator of each documented route that takes query parameters. */
const VALIDATORS: Record<string, Validator<unknown>> = {
  '/list': validateListRequest,
  '/detail': validateDetailRequest,
  '/history': validateHistoryRequest,
  '/export': validateExportRequest,
};

const paths = document.paths as unknown as Record<string, { get: { parameters: Parameter[] } }>;

const integerParameters = Object.entries(VALIDATORS).flatMap(([path, validate]) => {
  const parameters = paths[path]?.get.parameters ?? [];
  return parameters
    .filter(({ schema }) => schema.type === 'integer')
    .map((parameter) => ({ path, validate, parameter, parameters }));
});

/** Whether the server takes `value` for the parameter, every other required one being valid. */
const serverAccepts = (
  validate: Validator<unknown>,
  parameters: Parameter[],
  name: string,
  value: string,
) =>
  validate({
    queryStringParameters: {
      ...Object.fromEntries(
        parameters.filter((p) => p.required && p.in === 'query').map((p) => [p.name, 'user-001']),
      ),
      [name]: value,
    },
  });

describe("the document's integer query parameters and the server's patterns", () => {
  it('are the limit and version parameters of every route that takes them', () => {
    expect(integerParameters.map(({ path, parameter }) => `${path}?${parameter.name}`)).toEqual(
      expect.arrayContaining(['/list?limit', '/detail?version', '/history?limit', '/export?limit']),
    );
    expect(new Set(integerParameters.map(({ parameter }) => parameter.schema.maximum))).toEqual(
      new Set(INTEGER_PARAMETERS.map(({ maximum }) => maximum)),
    );
  });

  it.each(
    integerParameters.map(({ path, validate, parameter, parameters }) => [
      `${path}?${parameter.name}`,
      { validate, parameter, parameters },
    ]),
  )(
    '%s: the server takes exactly the integers the document allows',
    (_, { validate, parameter, parameters }) => {
      const { minimum = 0, maximum = Number.MAX_SAFE_INTEGER } = parameter.schema;
      const integers = [0, 1, minimum - 1, minimum, maximum, maximum + 1];
      expect(
        integers.map((n) => [n, serverAccepts(validate, parameters, parameter.name, String(n))]),
      ).toEqual(integers.map((n) => [n, n >= minimum && n <= maximum]));
      // Not how a client writes an integer: the server refuses them, whatever their value.
      for (const text of ['01', '1.0', '+1', '1e2', ' 1', '-0', '']) {
        expect([text, serverAccepts(validate, parameters, parameter.name, text)]).toEqual([
          text,
          false,
        ]);
      }
    },
  );
});
