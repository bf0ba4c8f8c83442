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

export const detailRequestSchema = queryStringSchema(
  { user_id: userIdSchema, version: versionSchema } as const,
  ['user_id'] as const,
);

export const historyRequestSchema = queryStringSchema(
  { user_id: userIdSchema, limit: limitSchema, next_token: nextTokenSchema } as const,
  ['user_id'] as const,
);
