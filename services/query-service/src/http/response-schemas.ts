import { EVENT_TYPES, eventPayloadSchemas, PERSONAL_FIELDS } from '@users/shared/schemas';

const nullableText = { type: ['string', 'null'] } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const nextToken = { type: 'string' } as const;

/** GET /list's 200 (administrators only). */
export const listBodySchema = {
  type: 'object',
  properties: {
    users: {
      type: 'array',
      items: {
        type: 'object',
        properties: { UserID: { type: 'string' }, Name: nullableText },
        required: ['UserID', 'Name'],
        additionalProperties: false,
      },
    },
    next_token: nextToken,
  },
  required: ['users'],
  additionalProperties: false,
} as const;

/** GET /detail's 200: never a deleted or erased user (reading-rules.ts). */
export const detailBodySchema = {
  type: 'object',
  properties: {
    UserID: { type: 'string' },
    Name: nullableText,
    Email: nullableText,
    Balance: { type: 'integer' },
    Version: { type: 'integer', minimum: 1 },
    CreatedAt: timestamp,
    UpdatedAt: timestamp,
    // Served from projection version 2 on (docs/projections.md): when the balance last changed.
    BalanceUpdatedAt: timestamp,
  },
  required: ['UserID', 'Name', 'Email', 'Balance', 'Version', 'CreatedAt', 'UpdatedAt'],
  additionalProperties: false,
} as const;

type PayloadSchema = { properties: Record<string, object> };

/** A stored payload as /history shows it: personal fields null once their user is erased. */
const historyPayloadSchema = (schema: PayloadSchema) => ({
  ...schema,
  properties: Object.fromEntries(
    Object.entries(schema.properties).map(([field, fieldSchema]) => [
      field,
      (PERSONAL_FIELDS as readonly string[]).includes(field)
        ? { ...fieldSchema, type: ['string', 'null'], description: 'null once the user is erased' }
        : fieldSchema,
    ]),
  ),
});

/** One entry of GET /history per event type: its payload as the event stored it. */
export const historyEventSchemas = Object.fromEntries(
  EVENT_TYPES.map((type) => [
    type,
    {
      type: 'object',
      properties: {
        sequence: { type: 'integer', minimum: 1 },
        event_type: { const: type },
        payload: historyPayloadSchema(eventPayloadSchemas[type]),
        occurred_at: timestamp,
        personal_data_erased: { const: true },
      },
      required: ['sequence', 'event_type', 'payload', 'occurred_at'],
      additionalProperties: false,
    },
  ]),
);

/** GET /history's 200. */
export const historyBodySchema = {
  type: 'object',
  properties: {
    user_id: { type: 'string' },
    events: { type: 'array', items: { oneOf: Object.values(historyEventSchemas) } },
    next_token: nextToken,
  },
  required: ['user_id', 'events'],
  additionalProperties: false,
};

/** GET /console/feed's 200: the newest events across users, without personal data. */
export const feedBodySchema = {
  type: 'object',
  properties: {
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          user_id: { type: 'string' },
          sequence: { type: 'integer', minimum: 1 },
          event_type: { type: 'string' },
          occurred_at: timestamp,
          delta: { type: 'integer' },
        },
        required: ['user_id', 'sequence', 'event_type', 'occurred_at'],
        additionalProperties: false,
      },
    },
  },
  required: ['events'],
  additionalProperties: false,
} as const;
