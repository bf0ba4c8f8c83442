import { SEALED_FIELD_PATTERN } from '../personal-data/field-cipher';

/**
 * The event contract between the command service (writer) and the query service (reader).
 * JSON Schema is the single source: TypeScript types are derived from it and the same objects
 * validate commands at the HTTP edge and stream records in the projector.
 */

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

const emptyPayloadSchema = {
  type: 'object',
  properties: {},
  additionalProperties: false,
} as const;

const isoTimestampSchema = { type: 'string', format: 'date-time' } as const;

/**
 * A user asked to be erased: the erasure is carried out at `erase_after` unless cancelled first;
 * a cancellation names the request it calls off by the same field.
 */
export const userErasureRequestedPayloadSchema = {
  type: 'object',
  properties: { erase_after: isoTimestampSchema },
  required: ['erase_after'],
  additionalProperties: false,
} as const;

/** The fields that are personal data: sealed in the store, erased with their user's key. */
export const PERSONAL_FIELDS = ['name', 'email'] as const;

/**
 * What readers get once an event is decoded, whatever version it was stored in: the newest
 * version's payloads, personal fields in the clear. TypeScript types derive from these.
 */
export const eventPayloadSchemas = {
  USER_CREATED: userCreatedPayloadSchema,
  USER_BALANCE: userBalancePayloadSchema,
  USER_UPDATED: userUpdatedPayloadSchema,
  USER_DELETED: emptyPayloadSchema,
  /** The user asked to be forgotten: their data key is deleted with this event (GDPR art. 17). */
  USER_ERASED: emptyPayloadSchema,
  /** Erasure after a grace period; until then only a cancellation is accepted. */
  USER_ERASURE_REQUESTED: userErasureRequestedPayloadSchema,
  /** The pending erasure (the one due at `erase_after`) was called off: the user is as before. */
  USER_ERASURE_CANCELLED: userErasureRequestedPayloadSchema,
} as const;

export const EVENT_TYPES = Object.keys(eventPayloadSchemas) as (keyof typeof eventPayloadSchemas)[];

/** A personal field as schema 2 stores it: sealed under the user's data key. */
export const sealedFieldSchema = {
  type: 'string',
  pattern: SEALED_FIELD_PATTERN,
  description: 'must be a sealed personal field',
} as const;

const sealedCreatedPayloadSchema = {
  type: 'object',
  properties: { name: sealedFieldSchema, email: sealedFieldSchema },
  required: ['name', 'email'],
  additionalProperties: false,
} as const;

const sealedUpdatedPayloadSchema = {
  type: 'object',
  properties: { name: sealedFieldSchema, email: sealedFieldSchema },
  minProperties: 1,
  additionalProperties: false,
} as const;

/**
 * Stored payloads, per schema version. A released version never changes (the lock file
 * shared/src/events/released-schemas.lock.json holds their fingerprints): a change is a new
 * version, with an upcaster from the one before (codec.ts).
 *
 * Schema 1, the release before 2026-11-29: personal fields in the clear.
 * Schema 2: personal fields sealed; USER_ERASED.
 * Schema 3: schema 2 plus USER_ERASURE_REQUESTED and USER_ERASURE_CANCELLED (erasure with a
 * grace period). Its own version so that a reader of schema 2 stops at them (NewerSchemaVersion)
 * rather than skipping a request it cannot honour.
 */
export const storedPayloadSchemas = {
  1: {
    USER_CREATED: userCreatedPayloadSchema,
    USER_BALANCE: userBalancePayloadSchema,
    USER_UPDATED: userUpdatedPayloadSchema,
    USER_DELETED: emptyPayloadSchema,
  },
  2: {
    USER_CREATED: sealedCreatedPayloadSchema,
    USER_BALANCE: userBalancePayloadSchema,
    USER_UPDATED: sealedUpdatedPayloadSchema,
    USER_DELETED: emptyPayloadSchema,
    USER_ERASED: emptyPayloadSchema,
  },
  3: {
    USER_CREATED: sealedCreatedPayloadSchema,
    USER_BALANCE: userBalancePayloadSchema,
    USER_UPDATED: sealedUpdatedPayloadSchema,
    USER_DELETED: emptyPayloadSchema,
    USER_ERASED: emptyPayloadSchema,
    USER_ERASURE_REQUESTED: userErasureRequestedPayloadSchema,
    USER_ERASURE_CANCELLED: userErasureRequestedPayloadSchema,
  },
} as const;

export type SchemaVersion = keyof typeof storedPayloadSchemas;
export const SCHEMA_VERSIONS = Object.keys(storedPayloadSchemas).map(Number) as SchemaVersion[];

/** The newest version: what every reader upcasts to. */
export const SCHEMA_VERSION = Math.max(...SCHEMA_VERSIONS) as SchemaVersion;

/** The first version that seals personal fields: no writer writes an older one. */
const FIRST_SEALED_VERSION = 2;

/**
 * The version an event is written in: the oldest sealed version that holds its type (every
 * payload schema since schema 2 is the same for a type it already had). A reader of the release
 * before then keeps reading every event but the new types while a stage is being deployed.
 */
export const schemaVersionOf = (type: string): SchemaVersion =>
  SCHEMA_VERSIONS.filter((version) => version >= FIRST_SEALED_VERSION).find(
    (version) => type in storedPayloadSchemas[version],
  ) ?? SCHEMA_VERSION;

/** Metadata every stored event carries, whatever its type. */
export const eventMetadataSchema = {
  type: 'object',
  properties: {
    userId: userIdSchema,
    version: { type: 'integer', minimum: 1 },
    eventId: { type: 'string', format: 'uuid' },
    occurredAt: isoTimestampSchema,
    correlationId: { type: 'string', minLength: 1, maxLength: 128 },
    schemaVersion: { type: 'integer', minimum: 1 },
  },
  required: ['userId', 'version', 'eventId', 'occurredAt', 'correlationId', 'schemaVersion'],
} as const;

/** A stored event of one schema version as the reader checks it: metadata plus its payload. */
export const storedEventSchema = (version: SchemaVersion) => {
  const payloads = storedPayloadSchemas[version] as Record<string, object>;
  const types = Object.keys(payloads);
  return {
    ...eventMetadataSchema,
    properties: {
      ...eventMetadataSchema.properties,
      schemaVersion: { const: version },
      type: { enum: types },
      payload: { type: 'object' },
    },
    required: [...eventMetadataSchema.required, 'type', 'payload'],
    additionalProperties: false,
    allOf: types.map((type) => ({
      if: { properties: { type: { const: type } } },
      then: { properties: { payload: payloads[type] } },
    })),
  };
};
