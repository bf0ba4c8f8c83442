import { commandRequestSchema } from '../../services/command-service/src/handlers/command/request-schema';
import { acceptedBodySchema } from '../../services/command-service/src/http/response-schemas';
import {
  detailRequestSchema,
  historyRequestSchema,
  listRequestSchema,
} from '../../services/query-service/src/http/query-schemas';
import {
  detailBodySchema,
  feedBodySchema,
  historyBodySchema,
  listBodySchema,
} from '../../services/query-service/src/http/response-schemas';
import {
  statsBodySchema,
  statsRequestSchema,
} from '../../services/stats-service/src/http/stats-schema';
import { errorBodySchema } from '../../shared/src/http/error-schema';

type Schema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const correlationHeader = {
  'X-Correlation-Id': {
    description: "The request's correlation id (the caller's, or a fresh one)",
    schema: { type: 'string' },
  },
};

const json = (schema: Schema, description: string, example?: unknown) => ({
  description,
  headers: correlationHeader,
  content: { 'application/json': { schema, ...(example !== undefined && { example }) } },
});

const error = (description: string, example?: unknown) => json(ref('Error'), description, example);

/** What any JSON route may answer besides its own statuses. */
const everyRoute = {
  '401': error('No valid token (a deployed stage, or npm start -- --auth)', {
    message: 'Unauthorized',
  }),
  '500': error('An unexpected failure', { message: 'Internal server error' }),
  '502': error('The function failed', { message: 'The function failed' }),
  '504': error('The function timed out', { message: 'The function timed out' }),
};
const forbidden = error('The caller may not act on this user (see Who may do what)', {
  message: 'Forbidden',
});
const invalid = (example: unknown) => error('Invalid input: every problem in `errors`', example);

const queryParameters = (schema: { properties: Schema }) => {
  const { properties, required } = schema.properties.queryStringParameters as {
    properties: Record<string, Schema>;
    required: readonly string[];
  };
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    description: property.description,
    schema: property,
  }));
};

const commandBody = commandRequestSchema.properties.body;
const commandHeaders = commandRequestSchema.properties.headers.properties;

const staticPage = (summary: string, type: string) => ({
  get: {
    summary,
    security: [],
    responses: {
      '200': {
        description: summary,
        content: {
          [type]: { schema: { type: type === 'application/json' ? 'object' : 'string' } },
        },
      },
    },
  },
});
const staticAsset = (summary: string) => ({
  get: {
    summary,
    security: [],
    parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string' } }],
    responses: {
      '200': { description: 'The file', content: { '*/*': { schema: { type: 'string' } } } },
      '404': error('No such file', { message: 'Not found' }),
    },
  },
});

/**
 * The OpenAPI 3.1 document of the whole API (both services), built from the very schemas the
 * validators are compiled from. `npm run generate` writes it; a test fails while it is stale.
 */
export const openApiDocument = () => ({
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'Users: CQRS + event sourcing',
    version: '2026-11-29',
    description:
      'Commands are decided and appended to an event store; a projector keeps the read models that the queries serve (eventually consistent). Every data route needs a JWT in a deployed stage: a caller acts on its own user (the token subject), administrators on all.',
  },
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: { Error: errorBodySchema },
  },
  paths: {
    '/command': {
      post: {
        operationId: 'sendCommand',
        summary:
          'Send a command: USER_CREATED, USER_BALANCE, USER_UPDATED, USER_DELETED, USER_ERASED',
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            description:
              'The first decided answer to this key and body is recorded 24 h and replayed to retries',
            schema: commandHeaders['idempotency-key'],
          },
          {
            name: 'X-Correlation-Id',
            in: 'header',
            description: 'Recorded on the event and echoed on every answer',
            schema: commandHeaders['x-correlation-id'],
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: commandBody,
              examples: {
                create: {
                  value: {
                    user_id: 'user-001',
                    event_type: 'USER_CREATED',
                    payload: { name: 'Alice', email: 'alice@example.com' },
                  },
                },
                deposit: {
                  value: {
                    user_id: 'user-001',
                    event_type: 'USER_BALANCE',
                    payload: { delta: 25 },
                  },
                },
                erase: { value: { user_id: 'user-001', event_type: 'USER_ERASED', payload: {} } },
              },
            },
          },
        },
        responses: {
          '200': json(acceptedBodySchema, 'Stored (or no change)', {
            message: 'Event stored',
            aggregate_id: 'user-001',
            event_type: 'USER_CREATED',
            sequence: 1,
            event_id: '6f1c1a2e-4b0e-4d5e-9f3a-2b7c8d9e0f1a',
            occurred_at: '2026-11-29T12:00:00.000Z',
          }),
          '400': invalid({
            message: 'Invalid request',
            errors: ['/body/payload/email must match format "email"'],
          }),
          '403': forbidden,
          '404': error('Unknown user', { message: 'User ID not found', code: 'USER_NOT_FOUND' }),
          '409': error('User exists, or a version conflict', {
            message: 'Version conflict',
            code: 'VERSION_CONFLICT',
            current_version: 3,
          }),
          '410': error('Deleted or erased user', {
            message: 'User has been erased',
            code: 'USER_ERASED',
          }),
          '413': error('Body over 64 KB', { message: 'Request body exceeds 65536 bytes' }),
          '422': error('Balance below 0 or beyond 2^53-1, or an Idempotency-Key reused', {
            message: 'Balance cannot go below 0',
            code: 'INSUFFICIENT_BALANCE',
            balance: 10,
            delta: -11,
          }),
          '503': error("The user's newest event was written by a newer release", {
            message: "This user's events were written by a newer release; try again later",
          }),
          ...everyRoute,
        },
      },
    },
    '/list': {
      get: {
        operationId: 'listUsers',
        summary: 'Users, paged (administrators only)',
        parameters: queryParameters(listRequestSchema),
        responses: {
          '200': json(listBodySchema, 'A page of users', {
            users: [{ UserID: 'user-001', Name: 'Alice' }],
          }),
          '400': invalid({
            message: 'Invalid request',
            errors: ['/queryStringParameters/limit must be an integer from 1 to 100'],
          }),
          '403': forbidden,
          ...everyRoute,
        },
      },
    },
    '/detail': {
      get: {
        operationId: 'getDetail',
        summary: 'A user now, or as it was after event `version` (time travel)',
        parameters: queryParameters(detailRequestSchema),
        responses: {
          '200': json(detailBodySchema, 'The user', {
            UserID: 'user-001',
            Name: 'Alice',
            Email: 'alice@example.com',
            Balance: 25,
            Version: 2,
            CreatedAt: '2026-11-29T12:00:00.000Z',
            UpdatedAt: '2026-11-29T12:01:00.000Z',
          }),
          '400': invalid({
            message: 'Invalid request',
            errors: ['/queryStringParameters must have property "user_id"'],
          }),
          '403': forbidden,
          '404': error('Unknown, deleted or erased user, or no such version', {
            message: 'User ID not found',
          }),
          ...everyRoute,
        },
      },
    },
    '/history': {
      get: {
        operationId: 'getHistory',
        summary: "A user's events, paged",
        parameters: queryParameters(historyRequestSchema),
        responses: {
          '200': json(historyBodySchema, 'A page of events', {
            user_id: 'user-001',
            events: [
              {
                sequence: 1,
                event_type: 'USER_CREATED',
                payload: { name: 'Alice', email: 'alice@example.com' },
                occurred_at: '2026-11-29T12:00:00.000Z',
              },
            ],
          }),
          '400': invalid({
            message: 'Invalid next_token',
            errors: ['/queryStringParameters/next_token is not a token this API issued'],
          }),
          '403': forbidden,
          '404': error('Unknown user', { message: 'User ID not found' }),
          ...everyRoute,
        },
      },
    },
    '/console/feed': {
      get: {
        operationId: 'getFeed',
        summary:
          'The newest events across users, kept an hour (administrators; stages with the console)',
        responses: {
          '200': json(feedBodySchema, 'Newest first', {
            events: [
              {
                user_id: 'user-001',
                sequence: 2,
                event_type: 'USER_BALANCE',
                occurred_at: '2026-11-29T12:01:00.000Z',
                delta: 25,
              },
            ],
          }),
          '403': forbidden,
          ...everyRoute,
        },
      },
    },
    '/stats': {
      get: {
        operationId: 'getStats',
        summary:
          'Registrations, deletions, erasures and balance changes per day (administrators; the stats service, fed by the integration events)',
        parameters: queryParameters(statsRequestSchema),
        responses: {
          '200': json(statsBodySchema, 'Every day of the range, zeros included', {
            from: '2026-12-01',
            to: '2026-12-01',
            days: [
              {
                day: '2026-12-01',
                registered: 3,
                deleted: 0,
                erased: 0,
                balance_changes: 12,
                balance_volume: 250,
              },
            ],
          }),
          '400': invalid({
            message: 'Invalid request',
            errors: ['/queryStringParameters/to must not be before from'],
          }),
          '403': forbidden,
          ...everyRoute,
        },
      },
    },
    '/openapi.json': staticPage('This document', 'application/json'),
    '/asyncapi.json': staticPage(
      'The integration events other services subscribe to (AsyncAPI 3.0)',
      'application/json',
    ),
    '/docs': staticPage('This document, rendered (Swagger UI, served by the stack)', 'text/html'),
    '/docs/{asset}': staticAsset("The renderer's files"),
    '/console': staticPage('The console (stages with the console)', 'text/html'),
    '/console/{asset}': staticAsset("The console's files"),
  },
});
