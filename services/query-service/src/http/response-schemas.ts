import { EVENT_TYPES, eventPayloadSchemas, PERSONAL_FIELDS } from '@users/shared/schemas';
import { STATS_STEP } from '../application/erasure-receipts';
import { AUDIT_OUTCOMES } from '../application/ports';

const nullableText = { type: ['string', 'null'] } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;
const nextToken = { type: 'string' } as const;

/** Present only while the user's erasure waits out its grace period. */
const erasurePendingUntil = {
  ...timestamp,
  description:
    'While an erasure the user asked for waits for a cancellation: when it is carried out. Absent otherwise.',
} as const;

/** GET /list's 200 (administrators only). */
export const listBodySchema = {
  type: 'object',
  properties: {
    users: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          UserID: { type: 'string' },
          Name: nullableText,
          erasure_pending_until: erasurePendingUntil,
        },
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
    erasure_pending_until: erasurePendingUntil,
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

const exportedEventSchema = {
  type: 'object',
  description:
    "An event as the store holds it, its personal fields opened (null once the user is erased); an event of a type this reader does not know has no payload (the event schemas: /asyncapi.json's users' events).",
  properties: {
    sequence: { type: 'integer', minimum: 1 },
    event_type: { type: 'string' },
    payload: { type: 'object' },
    occurred_at: timestamp,
    event_id: { type: 'string' },
    correlation_id: { type: 'string' },
  },
  required: ['sequence', 'event_type'],
  additionalProperties: false,
} as const;

/** GET /export's 200: a page of everything held of a user; the first page says more. */
export const exportBodySchema = {
  type: 'object',
  properties: {
    user_id: { type: 'string' },
    export_id: { type: 'string', description: 'The same on every page of one export' },
    exported_at: timestamp,
    erased: {
      type: 'boolean',
      description:
        'The user was erased: this export opens nothing personal (whether every read model has finished its rewrite: npm run erasure-audit)',
    },
    profile: {
      description: "First page only: the live read model's detail, null if it holds none",
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: {
            name: { type: ['string', 'null'] },
            email: { type: ['string', 'null'] },
            balance: { type: 'integer' },
            version: { type: 'integer', minimum: 0 },
            created_at: { type: 'string' },
            updated_at: { type: 'string' },
            deleted: { type: 'boolean' },
            erasure_pending_until: erasurePendingUntil,
          },
          required: ['name', 'email', 'balance', 'version', 'deleted'],
          additionalProperties: false,
        },
      ],
    },
    read_models: {
      type: 'array',
      description:
        "First page only: which fields of the user the live projection version's read models hold (other kept versions: npm run erasure-audit)",
      items: {
        type: 'object',
        properties: {
          read_model: { type: 'string', enum: ['user-detail', 'user-history'] },
          projection_version: { type: 'integer', minimum: 1 },
          fields: { type: 'array', items: { type: 'string' } },
        },
        required: ['read_model', 'projection_version', 'fields'],
        additionalProperties: false,
      },
    },
    events: { type: 'array', items: exportedEventSchema },
    next_token: nextToken,
  },
  required: ['user_id', 'export_id', 'exported_at', 'erased', 'events'],
  additionalProperties: false,
} as const;

/** A step's time, or null while it is not recorded (not done yet, or not recorded at all). */
const stepTime = (description: string) =>
  ({ type: ['string', 'null'], format: 'date-time', description }) as const;

/** GET /erasures/{user_id}'s 200: when each step of a user's erasure completed (administrators). */
export const erasureReceiptBodySchema = {
  type: 'object',
  properties: {
    user_id: { type: 'string' },
    erased_at: { ...timestamp, description: "The erasure event's time" },
    version: { type: 'integer', minimum: 1, description: "The erasure event's sequence" },
    event_id: { type: 'string', description: "The erasure event's id" },
    steps: {
      type: 'object',
      properties: {
        event_stored: {
          ...timestamp,
          description: 'The erasure stored in the event store (one transaction with the shredding)',
        },
        key_shredded: {
          ...timestamp,
          description:
            "The user's data key deleted (in the erasure's own transaction): every sealed personal field in the event store and its stream unreadable from then on; the key table's backups keep it for keyRecoveryWindowDays, and events of the release before 2026-11-29 stay readable until npm run encrypt-legacy has run (docs/personal-data.md)",
        },
        integration_event_published: stepTime(
          'user.erased published to subscribers (it carries no personal data)',
        ),
        read_models: {
          type: 'array',
          description:
            'Each projection version the stage keeps (live, being built, behind, dropped with its tables kept)',
          items: {
            type: 'object',
            properties: {
              projection_version: { type: 'integer', minimum: 1 },
              detail_hidden: stepTime(
                "The user's detail without name and email, off the list: no query shows them from then on",
              ),
              history_rewritten: stepTime(
                "The last of the user's history entries rewritten without personal data",
              ),
            },
            required: ['projection_version', 'detail_hidden', 'history_rewritten'],
            additionalProperties: false,
          },
        },
        stats: { type: 'string', const: STATS_STEP },
      },
      required: [
        'event_stored',
        'key_shredded',
        'integration_event_published',
        'read_models',
        'stats',
      ],
      additionalProperties: false,
    },
    complete: {
      type: 'boolean',
      description: "Every step has a time, each projection version's both",
    },
    audit: {
      description: 'The last `npm run erasure-audit` of the user, null if none was recorded',
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: {
            at: timestamp,
            outcome: { type: 'string', enum: [...AUDIT_OUTCOMES] },
          },
          required: ['at', 'outcome'],
          additionalProperties: false,
        },
      ],
    },
  },
  required: ['user_id', 'erased_at', 'version', 'event_id', 'steps', 'complete', 'audit'],
  additionalProperties: false,
} as const;
