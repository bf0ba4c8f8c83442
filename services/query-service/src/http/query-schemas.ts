import { userIdSchema } from '@users/shared/schemas';

/** Query strings arrive as text: numbers are validated as digit strings, then converted. */
export const limitSchema = {
  type: 'string',
  pattern: '^(100|[1-9][0-9]?)$',
  description: 'must be an integer from 1 to 100',
} as const;
export const versionSchema = {
  type: 'string',
  pattern: '^[1-9][0-9]{0,14}$',
  description: 'must be a positive integer',
} as const;
export const nextTokenSchema = {
  type: 'string',
  maxLength: 2048,
  pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
  description: 'is not a token this API issued',
} as const;

export const DEFAULT_PAGE_SIZE = 100;

/** An export's page: up to 1,000 events, well inside Lambda's 6 MB answer. */
export const exportLimitSchema = {
  type: 'string',
  pattern: '^(1000|[1-9][0-9]{0,2})$',
  description: 'must be an integer from 1 to 1000',
} as const;
export const DEFAULT_EXPORT_PAGE_SIZE = 1000;

/** An optional digit-string parameter, once validated, as the number it stands for. */
export const optionalNumber = (digits: string | undefined) =>
  digits === undefined ? undefined : Number(digits);

/**
 * The integers that digit-string parameters stand for, each beside the schema whose pattern
 * admits exactly them: the OpenAPI document declares such a parameter `type: integer` with these
 * bounds (found by its pattern), and a test checks that the server accepts exactly those.
 */
export const INTEGER_PARAMETERS = [
  { schema: limitSchema, minimum: 1, maximum: 100 },
  { schema: versionSchema, minimum: 1, maximum: 999_999_999_999_999 },
  { schema: exportLimitSchema, minimum: 1, maximum: 1000 },
] as const;

const queryStringSchema = <P, R>(properties: P, required: R) =>
  ({
    type: 'object',
    properties: {
      queryStringParameters: { type: 'object', properties, required },
    },
    required: ['queryStringParameters'],
  }) as const;

export const listRequestSchema = queryStringSchema(
  { limit: limitSchema, next_token: nextTokenSchema } as const,
  [] as const,
);

/**
 * `min_version`: read your writes (docs/api.md#reading-your-own-writes), a version the read waits
 * for within a bound, the same kind of number as `version`.
 */
export const detailRequestSchema = queryStringSchema(
  { user_id: userIdSchema, version: versionSchema, min_version: versionSchema } as const,
  ['user_id'] as const,
);

export const historyRequestSchema = queryStringSchema(
  {
    user_id: userIdSchema,
    limit: limitSchema,
    next_token: nextTokenSchema,
    min_version: versionSchema,
  } as const,
  ['user_id'] as const,
);

export const exportRequestSchema = queryStringSchema(
  { user_id: userIdSchema, limit: exportLimitSchema, next_token: nextTokenSchema } as const,
  ['user_id'] as const,
);

/** GET /erasures/{user_id}: the user in the path, as the other routes take it in the query. */
export const erasureReceiptPathSchema = {
  type: 'object',
  properties: {
    pathParameters: {
      type: 'object',
      properties: { user_id: userIdSchema },
      required: ['user_id'],
    },
  },
  required: ['pathParameters'],
} as const;

/**
 * GET /erasures?user_id=: the same receipt for any user id, `/`, `?` and `#` included, which a
 * path cannot carry (API Gateway decodes the path before it routes it).
 */
export const erasureReceiptQuerySchema = queryStringSchema(
  { user_id: userIdSchema } as const,
  ['user_id'] as const,
);

/** Either route's request: the user in the path when the path has one, else in the query. */
export const erasureReceiptRequestSchema = {
  type: 'object',
  if: {
    type: 'object',
    properties: {
      pathParameters: { type: 'object', properties: { user_id: {} }, required: ['user_id'] },
    },
    required: ['pathParameters'],
  },
  then: erasureReceiptPathSchema,
  else: erasureReceiptQuerySchema,
} as const;

/** The user whose receipt is asked for, by either route. */
export const receiptUserId = (request: {
  pathParameters?: { user_id?: string } | null;
  queryStringParameters?: { user_id?: string } | null;
}) => (request.pathParameters?.user_id ?? request.queryStringParameters?.user_id) as string;
