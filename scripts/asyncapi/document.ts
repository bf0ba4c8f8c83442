import {
  INTEGRATION_SCHEMA_VERSION,
  INTEGRATION_SOURCE,
  type IntegrationEventType,
  integrationEventSchemas,
} from '../../shared/src/integration/schemas';

/** `user.balance-changed` -> `userBalanceChanged`: an AsyncAPI component key. */
const keyOf = (type: string) =>
  type.replace(/[.-](\w)/g, (_, letter: string) => letter.toUpperCase());

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
    detail: integrationEventSchemas[type],
  },
  required: ['id', 'detail-type', 'source', 'time', 'detail'],
});

/**
 * The AsyncAPI 3.0 document of the public contract, generated from the integration events' JSON
 * Schemas (`npm run generate`), served at /asyncapi.json and shown in /docs.
 */
export const asyncApiDocument = () => {
  const types = Object.keys(integrationEventSchemas) as IntegrationEventType[];
  const messages = Object.fromEntries(
    types.map((type) => [
      keyOf(type),
      {
        name: type,
        title: type,
        summary: integrationEventSchemas[type].description,
        contentType: 'application/json',
        payload: eventBridgeEnvelope(type),
      },
    ]),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Users: integration events',
      version: `${INTEGRATION_SCHEMA_VERSION}.0.0`,
      description: [
        "The events other teams subscribe to on each stage's EventBridge bus (`users-<stage>`,",
        'exported by the command stack as `users-command-<stage>-EventBusName`): a rule on the bus',
        'and a function. No personal data. Delivery is at least once and in no order:',
        'deduplicate on `detail.event_id`, order by `detail.version` per `detail.user_id`.',
      ].join(' '),
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
        channel: { $ref: '#/channels/users' },
        messages: types.map((type) => ({ $ref: `#/channels/users/messages/${keyOf(type)}` })),
      },
    },
    components: { messages },
  };
};
