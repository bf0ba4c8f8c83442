import { userIdSchema } from '@users/shared/schemas';
import type { FromSchema } from 'json-schema-to-ts';
import { type CommandType, commandPayloadSchemas, visibleTextSchema } from '../../domain/commands';

const visibleUserIdSchema = { ...userIdSchema, allOf: [visibleTextSchema] } as const;

const commandBodySchema = <T extends CommandType>(eventType: T) =>
  ({
    type: 'object',
    properties: {
      user_id: visibleUserIdSchema,
      event_type: { const: eventType },
      payload: commandPayloadSchemas[eventType],
      expected_version: { type: 'integer', minimum: 0 },
    },
    required: ['user_id', 'event_type', 'payload'],
    additionalProperties: false,
  }) as const;

const headerTokenSchema = {
  type: 'string',
  pattern: '^[\\x21-\\x7e]{1,128}$',
  description: 'must be 1-128 visible ASCII characters',
} as const;

/** POST /command: the original API's body, with one branch per command (`event_type`). */
export const commandRequestSchema = {
  type: 'object',
  properties: {
    body: {
      type: 'object',
      discriminator: { propertyName: 'event_type' },
      properties: { event_type: { type: 'string' } },
      required: ['event_type'],
      oneOf: [
        commandBodySchema('USER_CREATED'),
        commandBodySchema('USER_BALANCE'),
        commandBodySchema('USER_UPDATED'),
        commandBodySchema('USER_DELETED'),
        commandBodySchema('USER_ERASED'),
        commandBodySchema('USER_ERASURE_REQUESTED'),
        commandBodySchema('USER_ERASURE_CANCELLED'),
      ],
    },
    headers: {
      type: 'object',
      properties: { 'idempotency-key': headerTokenSchema, 'x-correlation-id': headerTokenSchema },
    },
  },
  required: ['body', 'headers'],
} as const;

export type CommandRequestEvent = FromSchema<typeof commandRequestSchema>;
