import { userIdSchema } from '../events/schemas';

/**
 * The public contract: integration events other teams subscribe to on the stage's EventBridge
 * bus. Not the stored events: a small vocabulary of its own, versioned apart, and without any
 * personal data (no name, no email; a subscriber that needs them asks the API with its own rights).
 * Released versions never change (integration-schemas.lock.json); a change is a new version. A
 * version may gain a detail-type: EventBridge routes by detail-type, so a subscriber only ever
 * receives the types its rules name, and a new one reaches no one who did not ask for it.
 */

/** Every entry's `source` on the bus. */
export const INTEGRATION_SOURCE = 'users';

/** The version every publisher writes (`schema_version` in the detail). */
export const INTEGRATION_SCHEMA_VERSION = 1;

const timestamp = { type: 'string', format: 'date-time' } as const;

/** What every integration event's detail carries. */
const envelopeProperties = {
  event_id: {
    type: 'string',
    format: 'uuid',
    description: "the stored event's id: subscribers deduplicate on it (delivery is at least once)",
  },
  user_id: userIdSchema,
  version: {
    type: 'integer',
    minimum: 1,
    description: "the user's version after the event: EventBridge keeps no order, this does",
  },
  occurred_at: timestamp,
  correlation_id: {
    type: 'string',
    minLength: 1,
    maxLength: 128,
    description: 'the X-Correlation-Id of the command that stored the event',
  },
  schema_version: { const: INTEGRATION_SCHEMA_VERSION },
} as const;

const detailOf = <D extends object>(data: D, description: string) =>
  ({
    type: 'object',
    description,
    properties: { ...envelopeProperties, data },
    required: [
      'event_id',
      'user_id',
      'version',
      'occurred_at',
      'correlation_id',
      'schema_version',
      'data',
    ],
    additionalProperties: false,
  }) as const;

const noData = { type: 'object', properties: {}, additionalProperties: false } as const;

const profileChangedData = {
  type: 'object',
  properties: {
    changed: {
      type: 'array',
      items: { enum: ['name', 'email'] },
      minItems: 1,
      uniqueItems: true,
      description: 'which personal fields changed; their values are not published',
    },
  },
  required: ['changed'],
  additionalProperties: false,
} as const;

const balanceChangedData = {
  type: 'object',
  properties: {
    delta: { type: 'integer', not: { const: 0 } },
    balance: { type: 'integer', minimum: 0, description: 'the balance after the change' },
  },
  required: ['delta', 'balance'],
  additionalProperties: false,
} as const;

const erasureRequestedData = {
  type: 'object',
  properties: {
    erase_after: {
      ...timestamp,
      description:
        'when the erasure is carried out, unless cancelled before (in a cancellation: the one called off)',
    },
  },
  required: ['erase_after'],
  additionalProperties: false,
} as const;

/** Each integration event type's detail, by its `detail-type` on the bus. */
export const integrationEventSchemas = {
  'user.registered': detailOf(noData, 'A user was created (USER_CREATED).'),
  'user.profile-changed': detailOf(
    profileChangedData,
    "A user's name or email changed (USER_UPDATED). Read the new values through GET /detail.",
  ),
  'user.balance-changed': detailOf(balanceChangedData, "A user's balance changed (USER_BALANCE)."),
  'user.deleted': detailOf(noData, 'A user was deleted (USER_DELETED).'),
  'user.erased': detailOf(
    noData,
    'A user was erased (USER_ERASED): forget everything you hold about them, personal or not.',
  ),
  'user.erasure-requested': detailOf(
    erasureRequestedData,
    'A user asked to be erased (USER_ERASURE_REQUESTED): user.erased follows at `erase_after` unless user.erasure-cancelled comes first. Stop using their data for anything but keeping it until then.',
  ),
  'user.erasure-cancelled': detailOf(
    erasureRequestedData,
    'A pending erasure was called off (USER_ERASURE_CANCELLED): the user is as before the request.',
  ),
} as const;

export type IntegrationEventType = keyof typeof integrationEventSchemas;

export const INTEGRATION_EVENT_TYPES = Object.keys(
  integrationEventSchemas,
) as IntegrationEventType[];

/**
 * An integration event as a subscriber's function receives it from EventBridge: checked before
 * anything is counted (a subscriber trusts nothing it did not decide itself).
 */
export const deliveredEventSchema = {
  type: 'object',
  properties: {
    source: { const: INTEGRATION_SOURCE },
    'detail-type': { enum: INTEGRATION_EVENT_TYPES },
    detail: { type: 'object' },
  },
  required: ['source', 'detail-type', 'detail'],
  allOf: INTEGRATION_EVENT_TYPES.map((type) => ({
    if: { properties: { 'detail-type': { const: type } } },
    then: { properties: { detail: integrationEventSchemas[type] } },
  })),
};
