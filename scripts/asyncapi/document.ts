import { SCHEMA_VERSION } from '../../shared/src/events/schemas';
import type { ReadEvent } from '../../shared/src/events/types';
import {
  INTEGRATION_SCHEMA_VERSION,
  INTEGRATION_SOURCE,
  type IntegrationEventType,
  integrationEventSchemas,
} from '../../shared/src/integration/schemas';
import { toIntegrationEvent } from '../../shared/src/integration/to-integration-event';
import type { IntegrationEvent } from '../../shared/src/integration/types';
import { withExplicitTypes } from '../contract/explicit-types';
import { withPortablePatterns } from '../portable-patterns/portable-patterns';

/** `user.balance-changed` -> `userBalanceChanged`: an AsyncAPI component key. */
const keyOf = (type: string) =>
  type.replace(/[.-](\w)/g, (_, letter: string) => letter.toUpperCase());

/** `user.balance-changed` -> `UserBalanceChanged`: a schema's name, and so a generated class's. */
const schemaNameOf = (type: string) => {
  const key = keyOf(type);
  return `${key.charAt(0).toUpperCase()}${key.slice(1)}`;
};

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * What a subscriber's function receives from EventBridge for one integration event: the bus's
 * envelope around our detail.
 */
const eventBridgeEnvelope = (type: IntegrationEventType) => ({
  type: 'object',
  properties: {
    version: { const: '0' },
    id: { type: 'string', description: "EventBridge's own id (a replay gets a new one)" },
    'detail-type': { const: type },
    source: { const: INTEGRATION_SOURCE },
    account: { type: 'string' },
    time: { type: 'string', format: 'date-time' },
    region: { type: 'string' },
    resources: { type: 'array', items: { type: 'string' } },
    detail: schemaRef(`${schemaNameOf(type)}Detail`),
  },
  required: ['id', 'detail-type', 'source', 'time', 'detail'],
});

/**
 * Every object a message holds, named (`UserBalanceChanged`, its `...Detail` and `...Data`):
 * generators make one class of each instead of `AnonymousSchema_N`.
 */
const namedSchemas = (types: IntegrationEventType[]) =>
  Object.fromEntries(
    types.flatMap((type) => {
      const name = schemaNameOf(type);
      const detail = integrationEventSchemas[type];
      return [
        [name, eventBridgeEnvelope(type)],
        [
          `${name}Detail`,
          { ...detail, properties: { ...detail.properties, data: schemaRef(`${name}Data`) } },
        ],
        [`${name}Data`, detail.properties.data],
      ];
    }),
  );

/** The sample erasure request's due date: 30 days after it was asked for (its 12:03 below). */
const SAMPLE_ERASE_AFTER = '2026-12-29T12:03:00.000Z';

/** One user's life as the store holds it: each message's example is made from one of these. */
const sampleHistory: { event: ReadEvent; balanceAfter: number }[] = [
  [{ type: 'USER_CREATED', payload: { name: 'Alice', email: 'alice@example.com' } }, 0],
  [{ type: 'USER_BALANCE', payload: { delta: 25 } }, 25],
  [{ type: 'USER_UPDATED', payload: { email: 'alice@example.org' } }, 25],
  [{ type: 'USER_ERASURE_REQUESTED', payload: { erase_after: SAMPLE_ERASE_AFTER } }, 25],
  [{ type: 'USER_ERASURE_CANCELLED', payload: { erase_after: SAMPLE_ERASE_AFTER } }, 25],
  [{ type: 'USER_DELETED', payload: {} }, 25],
  [{ type: 'USER_ERASED', payload: {} }, 25],
].map(([body, balanceAfter], index) => ({
  event: {
    ...(body as Pick<ReadEvent, 'type' | 'payload'>),
    userId: 'user-001',
    version: index + 1,
    eventId: `6f1c1a2e-4b0e-4d5e-9f3a-${String(index + 1).padStart(12, '0')}`,
    occurredAt: new Date(Date.UTC(2026, 10, 29, 12, index)).toISOString(),
    correlationId: 'req-7f3a9c',
    schemaVersion: SCHEMA_VERSION,
  } as ReadEvent,
  balanceAfter: balanceAfter as number,
}));

/** An integration event as EventBridge delivers it (its `time` has whole seconds). */
const delivered = ({ type, detail }: IntegrationEvent, index: number) => ({
  version: '0',
  id: `0d7e4c3b-1a2f-4e5d-8c9b-${String(index + 1).padStart(12, '0')}`,
  'detail-type': type,
  source: INTEGRATION_SOURCE,
  account: '123456789012',
  time: detail.occurred_at.replace(/\.\d+Z$/, 'Z'),
  region: 'us-east-1',
  resources: [],
  detail,
});

/** Each type's example, made by the publisher's own mapping from the sample history. */
const examples = () =>
  Object.fromEntries(
    sampleHistory.map(({ event, balanceAfter }, index) => {
      const published = toIntegrationEvent(event, balanceAfter);
      return [published.type, delivered(published, index)];
    }),
  ) as Record<IntegrationEventType, ReturnType<typeof delivered>>;

/**
 * The AsyncAPI 3.0 document of the public contract, generated from the integration events' JSON
 * Schemas (`npm run generate`), served at /asyncapi.json and shown in /docs.
 */
export const asyncApiDocument = () => withPortablePatterns(document());

const document = () => {
  const types = Object.keys(integrationEventSchemas) as IntegrationEventType[];
  const example = examples();
  const messages = Object.fromEntries(
    types.map((type) => [
      keyOf(type),
      {
        name: type,
        title: type,
        summary: integrationEventSchemas[type].description,
        contentType: 'application/json',
        payload: schemaRef(schemaNameOf(type)),
        examples: [
          { name: keyOf(type), summary: `A ${type} as delivered`, payload: example[type] },
        ],
      },
    ]),
  );
  const messageRefs = types.map((type) => ({
    $ref: `#/channels/users/messages/${keyOf(type)}`,
  }));
  return withExplicitTypes({
    asyncapi: '3.0.0',
    info: {
      title: 'Users: integration events',
      version: `${INTEGRATION_SCHEMA_VERSION}.0.0`,
      description: [
        "The events other teams subscribe to on each stage's EventBridge bus (`users-<stage>`,",
        'exported by the command stack as `users-command-<stage>-EventBusName`): a rule on the bus',
        'and a function. No personal data. Delivery is at least once and in no order:',
        'deduplicate on `detail.event_id`, order by `detail.version` per `detail.user_id`.',
        'A version may gain message types: a rule receives only the `detail-type`s it names, so a',
        'new one reaches no subscriber that did not ask for it.',
      ].join(' '),
      tags: [{ name: 'users', description: "The users' lives: registered, changed, gone" }],
    },
    defaultContentType: 'application/json',
    channels: {
      users: {
        address: 'users-{stage}',
        title: "The stage's event bus",
        parameters: { stage: { description: 'The deployed stage, e.g. dev or prod' } },
        messages: Object.fromEntries(
          types.map((type) => [keyOf(type), { $ref: `#/components/messages/${keyOf(type)}` }]),
        ),
      },
    },
    operations: {
      publishUserEvents: {
        action: 'send',
        title: 'The command service publishes every stored event as one integration event',
        description:
          "Once the event is stored (from the event store's stream, at least once): the `detail-type` and `detail` are the stored event's public face, without personal data.",
        channel: { $ref: '#/channels/users' },
        messages: messageRefs,
      },
      receiveUserEvents: {
        action: 'receive',
        title: 'A subscriber receives the events its rule on the bus matches',
        description:
          "A rule on the stage's bus (`source: users`, the `detail-type`s wanted) targets the subscriber's function, which gets each event as its message's payload shows: check it against the schema, deduplicate on `detail.event_id`, order per user by `detail.version` (docs/events.md).",
        channel: { $ref: '#/channels/users' },
        messages: messageRefs,
      },
    },
    components: { schemas: namedSchemas(types), messages },
  });
};
