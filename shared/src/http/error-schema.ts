import {
  type CarriedBy,
  type CarriedFields,
  carriedBy,
  ERROR_CODE_LIST,
  ERROR_CODES,
  type ErrorCode,
  problemType,
} from './error-codes';
import { problemBody } from './error-response';

type Schema = Record<string, unknown>;
type Status = (typeof ERROR_CODES)[ErrorCode]['status'];

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** The schema of each field an error answer may carry (`carries` in error-codes.ts). */
const CARRIED: Record<keyof CarriedFields, Schema> = {
  errors: {
    type: 'array',
    items: { type: 'string' },
    description: 'Each problem as one sentence, as the original API answered them',
  },
  fields: { type: 'array', items: ref('FieldError'), description: 'Each problem, by field' },
  current_version: { type: 'integer', minimum: 0, description: "The user's version now" },
  min_version: {
    type: 'integer',
    minimum: 1,
    description: 'The version the read waited for (`min_version`, or a later `version`)',
  },
  balance: { type: 'integer', description: 'The balance before the command' },
  delta: { type: 'integer', description: "The command's delta" },
};

/** The component each status's union of codes is named by (`BadRequestError`: every 400). */
const STATUS_NAMES: Record<Status, string> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFoundError',
  409: 'ConflictError',
  410: 'GoneError',
  413: 'PayloadTooLargeError',
  422: 'UnprocessableContentError',
  500: 'InternalServerError',
  502: 'BadGatewayError',
  503: 'ServiceUnavailableError',
  504: 'GatewayTimeoutError',
};

/**
 * Statuses that API Gateway answers itself in AWS, before or instead of the functions (its JWT
 * authorizer's 401, a body over its limit, a failed or timed-out function), with `{"message"}`
 * alone: the document says so (GatewayError), so a client never takes `code` for granted there.
 */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([401, 413, 500, 502, 503, 504]);

/** One code's answer: its problem fields fixed, every field it carries required. */
const codeSchema = (code: ErrorCode): Schema => {
  const { status, title, when } = ERROR_CODES[code];
  const carried = carriedBy(code);
  return {
    type: 'object',
    description: when,
    properties: {
      message: {
        type: 'string',
        description: "What went wrong, for a person (the original API's field; same as `detail`)",
      },
      code: { type: 'string', const: code },
      type: { type: 'string', format: 'uri', const: problemType(code) },
      title: { type: 'string', const: title },
      status: { type: 'integer', const: status },
      detail: { type: 'string', description: 'RFC 9457: the same text as `message`' },
      ...Object.fromEntries(carried.map((field) => [field, CARRIED[field]])),
    },
    required: ['message', 'code', 'type', 'title', 'status', 'detail', ...carried],
    additionalProperties: false,
  };
};

/** Per-code schemas as a union; `code` tells them apart (each schema is named as its code). */
const unionOf = (codes: readonly ErrorCode[]): Schema =>
  codes.length === 1
    ? ref(codes[0] as ErrorCode)
    : { type: 'object', oneOf: codes.map(ref), discriminator: { propertyName: 'code' } };

const codesWithStatus = (status: Status) =>
  ERROR_CODE_LIST.filter((code) => ERROR_CODES[code].status === status);

/**
 * Every error schema: one per code (named as the code, so that a discriminator's implicit mapping
 * is right), one per status (the union of its codes), a field error, and API Gateway's own answer.
 */
const errorSchemas = (): Record<string, Schema> => ({
  FieldError: {
    type: 'object',
    description: 'One problem of an invalid request, in words a person can be shown',
    properties: {
      path: {
        type: 'string',
        description: 'Where, as a JSON Pointer into the request, e.g. /body/payload/email',
      },
      message: { type: 'string', description: 'What is wrong, e.g. "must not be 0"' },
    },
    required: ['path', 'message'],
    additionalProperties: false,
  },
  GatewayError: {
    type: 'object',
    description:
      "API Gateway's own answer in AWS (no function ran, or its answer was lost): a `message` only",
    properties: { message: { type: 'string' } },
    required: ['message'],
    additionalProperties: false,
  },
  ...Object.fromEntries(ERROR_CODE_LIST.map((code) => [code, codeSchema(code)])),
  ...Object.fromEntries(
    Object.entries(STATUS_NAMES).map(([status, name]) => [
      name,
      {
        ...unionOf(codesWithStatus(Number(status) as Status)),
        description: `Every ${status} the functions answer`,
      },
    ]),
  ),
});

/**
 * The document with the error schemas its routes refer to (directly or through another schema)
 * in `components.schemas`, and no other: a status's union is named where a route may answer all
 * of its codes, and a component nothing refers to is not published.
 */
export const withErrorSchemas = <D extends { components: { schemas: object } }>(document: D): D => {
  const all = errorSchemas();
  const used = new Set<string>();
  const visit = (node: unknown) => {
    for (const [, name] of JSON.stringify(node).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (name && name in all && !used.has(name)) {
        used.add(name);
        visit(all[name]);
      }
    }
  };
  visit(document);
  const schemas = Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name)));
  return {
    ...document,
    components: { ...document.components, schemas: { ...document.components.schemas, ...schemas } },
  };
};

/** An error answer's example: its message and the fields its code carries. */
type Example<C extends ErrorCode> = { message: string } & Pick<CarriedFields, CarriedBy<C>>;

const EXAMPLES: { [C in ErrorCode]: Example<C> } = {
  INVALID_REQUEST: {
    message: 'Invalid request',
    errors: ['/body/payload/delta must not be 0'],
    fields: [{ path: '/body/payload/delta', message: 'must not be 0' }],
  },
  INVALID_JSON: {
    message: 'Request body must be valid JSON',
    errors: ['/body is not valid JSON'],
    fields: [{ path: '/body', message: 'is not valid JSON' }],
  },
  UNAUTHORIZED: { message: 'Unauthorized' },
  FORBIDDEN: { message: 'Forbidden' },
  USER_NOT_FOUND: { message: 'User ID not found' },
  VERSION_NOT_FOUND: { message: 'Version not found' },
  NOT_FOUND: { message: 'Not found' },
  USER_ALREADY_EXISTS: { message: 'User already exists' },
  VERSION_CONFLICT: { message: 'Version conflict', current_version: 3 },
  VERSION_NOT_REACHED: {
    message: 'This user has not reached version 3 yet in this read model; try again shortly',
    min_version: 3,
    current_version: 2,
  },
  ERASURE_PENDING: {
    message:
      "User has asked to be erased: only USER_ERASURE_CANCELLED (or an administrator's USER_ERASED) is accepted",
  },
  ERASURE_NOT_PENDING: { message: 'No erasure is pending for this user' },
  USER_DELETED: { message: 'User has been deleted' },
  USER_ERASED: { message: 'User has been erased' },
  PAYLOAD_TOO_LARGE: { message: 'Request body exceeds 65536 bytes' },
  INSUFFICIENT_BALANCE: { message: 'Balance cannot go below 0', balance: 10, delta: -11 },
  BALANCE_LIMIT: {
    message: 'Balance cannot exceed 9007199254740991',
    balance: 9007199254740990,
    delta: 2,
  },
  IDEMPOTENCY_KEY_REUSED: { message: 'Idempotency-Key was already used with a different request' },
  INTERNAL_ERROR: { message: 'Internal server error' },
  OUTCOME_UNKNOWN: {
    message:
      'The command may or may not have been stored: read the user before sending it again, or send it with an Idempotency-Key',
  },
  FUNCTION_FAILED: { message: 'The function failed' },
  SERVICE_BUSY: { message: 'The service is busy; try again shortly' },
  NEWER_RELEASE: {
    message: "This user's events were written by a newer release; try again later",
  },
  FUNCTION_TIMEOUT: { message: 'The function timed out' },
};

/** A code's usual answer: its example's message and fields. */
export const exampleBody = (code: ErrorCode) => {
  const { message, ...details } = EXAMPLES[code];
  return problemBody(code, message, details);
};

/** API Gateway's own answers, as AWS documents them. */
const GATEWAY_EXAMPLES: Partial<Record<Status, string>> = {
  401: 'Unauthorized',
  500: 'Internal Server Error',
};

export type ErrorResponseOptions = {
  /** Headers every answer of the route carries (X-Correlation-Id). */
  headers?: Record<string, unknown>;
  /** The Retry-After header, added where a code always sends it. */
  retryAfter?: unknown;
  /** A route's own example for a code, in place of the default one. */
  examples?: { [C in ErrorCode]?: Example<C> };
};

/**
 * A route's error responses, by status, from the codes it may answer: each status's schema is the
 * union of those codes (its named union when the route may answer them all), an example per code.
 */
export const errorResponses = (
  codes: readonly ErrorCode[],
  { headers = {}, retryAfter, examples = {} }: ErrorResponseOptions = {},
) => {
  const statuses = [...new Set(codes.map((code) => ERROR_CODES[code].status))].sort(
    (a, b) => a - b,
  );
  return Object.fromEntries(
    statuses.map((status) => {
      const answered = codes.filter((code) => ERROR_CODES[code].status === status);
      const all = codesWithStatus(status);
      const ownSchema =
        answered.length === all.length ? ref(STATUS_NAMES[status]) : unionOf(answered);
      const gateway = GATEWAY_STATUSES.has(status);
      const gatewayExample = GATEWAY_EXAMPLES[status];
      const mayRetry = answered.some((code) => 'retryAfter' in ERROR_CODES[code]);
      return [
        String(status),
        {
          description: [
            ...answered.map((code) => `- \`${code}\`: ${ERROR_CODES[code].when}`),
            ...(gateway ? ['- in AWS, API Gateway may answer this itself (`GatewayError`)'] : []),
          ].join('\n'),
          headers: { ...headers, ...(mayRetry && retryAfter ? { 'Retry-After': retryAfter } : {}) },
          content: {
            'application/json': {
              schema: gateway
                ? { type: 'object', oneOf: [ownSchema, ref('GatewayError')] }
                : ownSchema,
              examples: {
                ...Object.fromEntries(
                  answered.map((code) => {
                    const { message, ...details } = examples[code] ?? EXAMPLES[code];
                    return [
                      code,
                      {
                        summary: ERROR_CODES[code].title,
                        value: problemBody(code, message, details),
                      },
                    ];
                  }),
                ),
                ...(gateway &&
                  gatewayExample && {
                    GatewayError: {
                      summary: 'API Gateway, in AWS',
                      value: { message: gatewayExample },
                    },
                  }),
              },
            },
          },
        },
      ];
    }),
  );
};
