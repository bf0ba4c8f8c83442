import type { CommandType } from '../../services/command-service/src/domain/commands';
import { commandRequestSchema } from '../../services/command-service/src/handlers/command/request-schema';
import { INTEGER_PARAMETERS } from '../../services/query-service/src/http/query-schemas';
import {
  historyBodySchema,
  historyEventSchemas,
} from '../../services/query-service/src/http/response-schemas';

type Schema = Record<string, unknown>;

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** `USER_CREATED` -> `UserCreated`. */
const pascal = (text: string) =>
  text.toLowerCase().replace(/(?:^|_)([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * A union as code generators read it: each branch a named schema (`$ref`), and a discriminator
 * whose mapping names the branch for each value of the property.
 */
const discriminated = (propertyName: string, names: Record<string, string>) => ({
  type: 'object',
  oneOf: Object.values(names).map(schemaRef),
  discriminator: {
    propertyName,
    mapping: Object.fromEntries(
      Object.entries(names).map(([value, name]) => [value, schemaRef(name).$ref]),
    ),
  },
});

/** The `const` a branch of a union has for the discriminating property. */
const constOf = (branch: unknown, property: string) =>
  (branch as { properties: Record<string, { const: string }> }).properties[property]
    ?.const as string;

/** The name each command's body goes by in the document, and so in generated clients. */
const COMMAND_NAMES: Record<CommandType, string> = {
  USER_CREATED: 'CreateUserCommand',
  USER_BALANCE: 'UpdateBalanceCommand',
  USER_UPDATED: 'UpdateUserCommand',
  USER_DELETED: 'DeleteUserCommand',
  USER_ERASED: 'EraseUserCommand',
  USER_ERASURE_REQUESTED: 'RequestErasureCommand',
  USER_ERASURE_CANCELLED: 'CancelErasureCommand',
};

const commandBranches = commandRequestSchema.properties.body.oneOf;
const historyNames = Object.fromEntries(
  Object.keys(historyEventSchemas).map((type) => [type, `${pascal(type)}HistoryEvent`]),
);

/**
 * The schemas generators name (one per command, one per history entry, each union with its
 * discriminator), taken from the validator's and the response's own schemas.
 */
export const namedSchemas = (): Record<string, unknown> => ({
  ...Object.fromEntries(
    commandBranches.map((branch) => [
      COMMAND_NAMES[constOf(branch, 'event_type') as CommandType],
      branch,
    ]),
  ),
  Command: discriminated(
    'event_type',
    Object.fromEntries(
      commandBranches.map((branch) => {
        const type = constOf(branch, 'event_type') as CommandType;
        return [type, COMMAND_NAMES[type]];
      }),
    ),
  ),
  ...Object.fromEntries(
    Object.entries(historyEventSchemas).map(([type, schema]) => [historyNames[type], schema]),
  ),
  HistoryEvent: discriminated('event_type', historyNames),
});

/** POST /command's body: one of the named commands. */
export const commandBodyRef = schemaRef('Command');

/** GET /history's 200, its entries the named union. */
export const historyBody = {
  ...historyBodySchema,
  properties: {
    ...historyBodySchema.properties,
    events: { type: 'array', items: schemaRef('HistoryEvent') },
  },
};

/**
 * A query parameter's schema as the document gives it: a digit string the server converts is
 * declared the integer it stands for, with its bounds (INTEGER_PARAMETERS, found by pattern).
 */
export const documentedQuerySchema = (property: Schema): Schema => {
  const integer = INTEGER_PARAMETERS.find(({ schema }) => schema.pattern === property.pattern);
  if (!integer) return property;
  const { minimum, maximum } = integer;
  return { type: 'integer', minimum, maximum, description: property.description };
};

/** Where the API answers. */
export const servers = [
  { url: 'http://localhost:3000', description: 'The local stack (npm start)' },
  {
    url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
    description:
      "A deployed stage: its HTTP API's URL (`HttpApiUrl` in the command stack's outputs, docs/deploy.md)",
    variables: {
      apiId: { default: 'abcdef1234', description: "The stage's HTTP API id" },
      region: { default: 'us-east-1', description: 'The region the stage is deployed to' },
    },
  },
];

export const tags = [
  { name: 'commands', description: 'Change a user: every change is an event' },
  { name: 'queries', description: 'Read the read models (eventually consistent)' },
  {
    name: 'personal data',
    description: "A subject's data and its erasure (docs/personal-data.md)",
  },
  { name: 'stats', description: 'Daily figures, from the integration events' },
  { name: 'console', description: 'The operators’ console (stages with the console)' },
  { name: 'documentation', description: 'These documents and their renderer' },
];

export const RETRY_AFTER = 'Retry-After';
export const IDEMPOTENT_REPLAYED = 'Idempotent-Replayed';

/** The response headers the operations share, by name (`components.headers`). */
export const headers = {
  [RETRY_AFTER]: {
    // Not required: a 503 (or 413) of API Gateway itself carries neither a code nor this header.
    description:
      'Seconds to wait before trying again: on every answer whose code says so (SERVICE_BUSY, NEWER_RELEASE, VERSION_NOT_REACHED); an answer of API Gateway itself has none',
    schema: { type: 'integer', minimum: 1 },
  },
  [IDEMPOTENT_REPLAYED]: {
    description:
      'Present (`true`) when this is the answer recorded for an earlier request with the same Idempotency-Key and body: nothing was decided or stored now',
    schema: { type: 'string', const: 'true' },
  },
};

export const headerRef = (name: keyof typeof headers) => ({
  $ref: `#/components/headers/${name}`,
});

/**
 * The 429 of the stage's throttle (`throttlingRateLimit`/`throttlingBurstLimit` in
 * shared/serverless/params.yml): API Gateway's own answer, before any function runs.
 */
export const throttled = {
  description:
    "Over the stage's request rate (100/s, burst 200; prod 1000/s, burst 2000). API Gateway's own answer: no `code`, no X-Correlation-Id and no Retry-After; wait a second or more, with jitter, then retry.",
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { message: { type: 'string', const: 'Too Many Requests' } },
        required: ['message'],
      },
      example: { message: 'Too Many Requests' },
    },
  },
};
