/**
 * The event contract between the command service (writer) and the query service (reader).
 * JSON Schema is the single source: TypeScript types are derived from it and the same objects
 * validate commands at the HTTP edge and stream records in the projector.
 */

export const SCHEMA_VERSION = 1;

/** Printable, no whitespace, no control characters: safe as a DynamoDB key and in URLs. */
export const userIdSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  pattern: '^[^\\s\\p{Cc}\\p{Cf}\\p{Cs}\\p{Z}]+$',
  description: 'must be 1-128 characters without spaces or control characters',
} as const;

export const nameSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  // A visible character, and no control characters or lone UTF-16 surrogates.
  pattern: '^(?=.*\\S)[^\\p{Cc}\\p{Cs}]+$',
  description: 'must contain a visible character and no control characters',
} as const;

export const emailSchema = {
  type: 'string',
  format: 'email',
  maxLength: 254,
} as const;

/** Bounded so that balances stay exact in IEEE doubles and DynamoDB numbers. */
export const MAX_AMOUNT = 1_000_000_000_000;

export const deltaSchema = {
  type: 'integer',
  minimum: -MAX_AMOUNT,
  maximum: MAX_AMOUNT,
  not: { const: 0 },
} as const;

export const userCreatedPayloadSchema = {
  type: 'object',
  properties: { name: nameSchema, email: emailSchema },
  required: ['name', 'email'],
  additionalProperties: false,
} as const;

export const userBalancePayloadSchema = {
  type: 'object',
  properties: { delta: deltaSchema },
  required: ['delta'],
  additionalProperties: false,
} as const;

export const userUpdatedPayloadSchema = {
  type: 'object',
  properties: { name: nameSchema, email: emailSchema },
  minProperties: 1,
  additionalProperties: false,
} as const;

export const userDeletedPayloadSchema = {
  type: 'object',
  properties: {},
  additionalProperties: false,
} as const;

export const eventPayloadSchemas = {
  USER_CREATED: userCreatedPayloadSchema,
  USER_BALANCE: userBalancePayloadSchema,
  USER_UPDATED: userUpdatedPayloadSchema,
  USER_DELETED: userDeletedPayloadSchema,
} as const;

export const EVENT_TYPES = Object.keys(eventPayloadSchemas) as (keyof typeof eventPayloadSchemas)[];

const isoTimestampSchema = { type: 'string', format: 'date-time' } as const;

/** Metadata every stored event carries, whatever its type. */
export const eventMetadataSchema = {
  type: 'object',
  properties: {
    userId: userIdSchema,
    version: { type: 'integer', minimum: 1 },
    eventId: { type: 'string', format: 'uuid' },
    occurredAt: isoTimestampSchema,
    correlationId: { type: 'string', minLength: 1, maxLength: 128 },
    schemaVersion: { const: SCHEMA_VERSION },
  },
  required: ['userId', 'version', 'eventId', 'occurredAt', 'correlationId', 'schemaVersion'],
} as const;

/** A stored event as the reader checks it: metadata plus a payload matching its type. */
export const recordedEventSchema = {
  ...eventMetadataSchema,
  properties: {
    ...eventMetadataSchema.properties,
    type: { enum: EVENT_TYPES },
    payload: { type: 'object' },
  },
  required: [...eventMetadataSchema.required, 'type', 'payload'],
  additionalProperties: false,
  allOf: EVENT_TYPES.map((type) => ({
    if: { properties: { type: { const: type } } },
    then: { properties: { payload: eventPayloadSchemas[type] } },
  })),
};
