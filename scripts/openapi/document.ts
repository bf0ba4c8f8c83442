import { commandRequestSchema } from '../../services/command-service/src/handlers/command/request-schema';
import { acceptedBodySchema } from '../../services/command-service/src/http/response-schemas';
import { STATS_STEP } from '../../services/query-service/src/application/erasure-receipts';
import {
  detailRequestSchema,
  erasureReceiptPathSchema,
  erasureReceiptQuerySchema,
  exportRequestSchema,
  historyRequestSchema,
  listRequestSchema,
} from '../../services/query-service/src/http/query-schemas';
import {
  detailBodySchema,
  erasureReceiptBodySchema,
  exportBodySchema,
  feedBodySchema,
  listBodySchema,
} from '../../services/query-service/src/http/response-schemas';
import {
  statsBodySchema,
  statsRequestSchema,
} from '../../services/stats-service/src/http/stats-schema';
import type { ErrorCode } from '../../shared/src/http/error-codes';
import {
  type ErrorResponseOptions,
  errorResponses,
  withErrorSchemas,
} from '../../shared/src/http/error-schema';
import { withExplicitTypes } from '../contract/explicit-types';
import { withPortablePatterns } from '../portable-patterns/portable-patterns';
import {
  commandBodyRef,
  documentedQuerySchema,
  headerRef,
  headers,
  historyBody,
  IDEMPOTENT_REPLAYED,
  namedSchemas,
  RETRY_AFTER,
  servers,
  tags,
  throttled,
} from './components';

type Schema = Record<string, unknown>;

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

/** A route's error answers, by the codes of the closed list it may answer (error-codes.ts). */
const errors = (codes: readonly ErrorCode[], examples?: ErrorResponseOptions['examples']) =>
  errorResponses(codes, {
    headers: correlationHeader,
    retryAfter: headerRef(RETRY_AFTER),
    examples,
  });

/** What every data route may answer besides its own codes. */
const DATA_ROUTE_CODES: ErrorCode[] = [
  'UNAUTHORIZED',
  'FORBIDDEN',
  'INTERNAL_ERROR',
  'FUNCTION_FAILED',
  'SERVICE_BUSY',
  'FUNCTION_TIMEOUT',
];

/** A data route's error answers: its own codes, every data route's, and the stage's throttle. */
const dataRouteErrors = (codes: readonly ErrorCode[], examples?: Parameters<typeof errors>[1]) => ({
  ...errors([...DATA_ROUTE_CODES, ...codes], examples),
  '429': throttled,
});

/** An invalid request's example: the problem as the original sentence and as a field error. */
const invalid = (message: string, error: string, path: string, problem: string) => ({
  INVALID_REQUEST: { message, errors: [error], fields: [{ path, message: problem }] },
});

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
    schema: documentedQuerySchema(property),
  }));
};

/** A route's path parameters, from the schema its validator is compiled from. */
const pathParameters = (schema: { properties: Schema }) => {
  const { properties } = schema.properties.pathParameters as {
    properties: Record<string, Schema>;
  };
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'path',
    required: true,
    description: property.description,
    schema: property,
  }));
};

/** GET /erasures/{user_id}, or the same with the user in the query (any user id). */
const erasureReceiptOperation = (form: 'path' | 'query') => {
  const byPath = form === 'path';
  const where = byPath ? 'pathParameters' : 'queryStringParameters';
  return {
    operationId: byPath ? 'getErasureReceipt' : 'getErasureReceiptByQuery',
    tags: ['personal data'],
    summary: "When each step of a user's erasure completed (administrators only)",
    description: `${byPath ? '' : 'Any user id, `/`, `?` and `#` included, which a path cannot carry (API Gateway decodes a path before routing it). '}An erasure's receipt, for a data-protection officer's records: when the erasure was stored and the user's data key shredded (one transaction), when \`user.erased\` was published, and for each projection version the stage keeps when the user's detail was hidden and their history rewritten without personal data (null: not done, or not recorded); \`complete\` once every step has a time; the last \`npm run erasure-audit\` recorded, if any. No personal data. 404 for a user with no receipt: never erased, or erased by a release before receipts.`,
    parameters: byPath
      ? pathParameters(erasureReceiptPathSchema)
      : queryParameters(erasureReceiptQuerySchema),
    responses: {
      '200': json(erasureReceiptBodySchema as unknown as Schema, 'The receipt', {
        user_id: 'user-001',
        erased_at: '2026-12-07T12:00:00.000Z',
        version: 7,
        event_id: '6f1c1a2e-4b0e-4d5e-9f3a-2b7c8d9e0f1a',
        steps: {
          event_stored: '2026-12-07T12:00:00.000Z',
          key_shredded: '2026-12-07T12:00:00.000Z',
          integration_event_published: '2026-12-07T12:00:00.412Z',
          read_models: [
            {
              projection_version: 1,
              detail_hidden: '2026-12-07T12:00:00.318Z',
              history_rewritten: '2026-12-07T12:00:01.027Z',
            },
          ],
          stats: STATS_STEP,
        },
        complete: true,
        audit: { at: '2026-12-08T09:00:00.000Z', outcome: 'nothing readable' },
      }),
      ...dataRouteErrors(
        ['INVALID_REQUEST', 'USER_NOT_FOUND'],
        invalid(
          'Invalid request',
          `/${where}/user_id must be 1-128 characters without spaces or control characters`,
          `/${where}/user_id`,
          'must be 1-128 characters without spaces or control characters',
        ),
      ),
    },
  };
};

/** A command's answer that a retry under the same Idempotency-Key gets again, marked. */
const replayable = <R extends object>(response: R) => ({
  ...response,
  headers: {
    ...(response as { headers?: object }).headers,
    [IDEMPOTENT_REPLAYED]: headerRef(IDEMPOTENT_REPLAYED),
  },
});

/** The statuses of the refusals an Idempotency-Key records, and so replays (docs/api.md). */
const RECORDED_REFUSALS = ['404', '409', '410', '422'];
const replayedRefusals = (responses: Record<string, object>) =>
  Object.fromEntries(
    Object.entries(responses).map(([status, response]) => [
      status,
      RECORDED_REFUSALS.includes(status) ? replayable(response) : response,
    ]),
  );

/** /detail's 200: the version it shows as a weak entity tag (query-service http/entity-tag.ts). */
const entityTagged = (response: ReturnType<typeof json>) => ({
  ...response,
  headers: {
    ...response.headers,
    ETag: {
      description:
        'W/"<Version>": the version shown (weak: a later projection version may add a field to the same version)',
      schema: { type: 'string' },
    },
  },
});

/** What `min_version` does, on both routes that take it (docs/api.md#reading-your-own-writes). */
const READ_YOUR_WRITES =
  "`min_version`: read your own write. Pass a command answer's `sequence`: the read waits up to 1 s (polling the read model every 100 ms) for the user to reach it, then answers it, or 409 VERSION_NOT_REACHED with Retry-After: 1 (also for a user not projected yet: never the unknown user's 404).";

const commandHeaders = commandRequestSchema.properties.headers.properties;

const staticPage = (operationId: string, tag: string, summary: string, type: string) => ({
  get: {
    operationId,
    tags: [tag],
    summary,
    security: [],
    responses: {
      '200': {
        description: summary,
        content: {
          [type]: { schema: { type: type === 'application/json' ? 'object' : 'string' } },
        },
      },
      '429': throttled,
    },
  },
});
const staticAsset = (operationId: string, tag: string, summary: string) => ({
  get: {
    operationId,
    tags: [tag],
    summary,
    security: [],
    parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string' } }],
    responses: {
      '200': { description: 'The file', content: { '*/*': { schema: { type: 'string' } } } },
      ...errors(['NOT_FOUND']),
      '429': throttled,
    },
  },
});

/**
 * The OpenAPI 3.1 document of the whole API (both services), built from the very schemas the
 * validators are compiled from. `npm run generate` writes it; a test fails while it is stale.
 */
export const openApiDocument = () =>
  withPortablePatterns(withExplicitTypes(withErrorSchemas(document())));

const document = () => ({
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'Users: CQRS + event sourcing',
    version: '2026-12-07',
    description:
      'Commands are decided and appended to an event store; a projector keeps the read models that the queries serve (eventually consistent). Every data route needs a JWT in a deployed stage: a caller acts on its own user (the token subject), administrators on all.',
  },
  servers,
  tags,
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: namedSchemas(),
    headers,
  },
  paths: {
    '/command': {
      post: {
        operationId: 'sendCommand',
        tags: ['commands'],
        summary:
          'Send a command: USER_CREATED, USER_BALANCE, USER_UPDATED, USER_DELETED, USER_ERASURE_REQUESTED, USER_ERASURE_CANCELLED, USER_ERASED (administrators: at once)',
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
              schema: commandBodyRef,
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
                requestErasure: {
                  value: { user_id: 'user-001', event_type: 'USER_ERASURE_REQUESTED', payload: {} },
                },
                cancelErasure: {
                  value: { user_id: 'user-001', event_type: 'USER_ERASURE_CANCELLED', payload: {} },
                },
                erase: { value: { user_id: 'user-001', event_type: 'USER_ERASED', payload: {} } },
              },
            },
          },
        },
        responses: {
          '200': replayable(
            json(acceptedBodySchema, 'Stored (or no change)', {
              message: 'Event stored',
              aggregate_id: 'user-001',
              event_type: 'USER_CREATED',
              sequence: 1,
              event_id: '6f1c1a2e-4b0e-4d5e-9f3a-2b7c8d9e0f1a',
              occurred_at: '2026-11-29T12:00:00.000Z',
            }),
          ),
          ...replayedRefusals(
            dataRouteErrors(
              [
                'INVALID_REQUEST',
                'INVALID_JSON',
                'USER_NOT_FOUND',
                'USER_ALREADY_EXISTS',
                'VERSION_CONFLICT',
                'USER_DELETED',
                'USER_ERASED',
                'ERASURE_PENDING',
                'ERASURE_NOT_PENDING',
                'PAYLOAD_TOO_LARGE',
                'INSUFFICIENT_BALANCE',
                'BALANCE_LIMIT',
                'IDEMPOTENCY_KEY_REUSED',
                'OUTCOME_UNKNOWN',
                'NEWER_RELEASE',
              ],
              invalid(
                'Invalid request',
                '/body/payload/email must match format "email"',
                '/body/payload/email',
                'must be a valid email address',
              ),
            ),
          ),
        },
      },
    },
    '/list': {
      get: {
        operationId: 'listUsers',
        tags: ['queries'],
        summary: 'Users, paged (administrators only)',
        parameters: queryParameters(listRequestSchema),
        responses: {
          '200': json(listBodySchema, 'A page of users', {
            users: [{ UserID: 'user-001', Name: 'Alice' }],
          }),
          ...dataRouteErrors(
            ['INVALID_REQUEST'],
            invalid(
              'Invalid request',
              '/queryStringParameters/limit must be an integer from 1 to 100',
              '/queryStringParameters/limit',
              'must be an integer from 1 to 100',
            ),
          ),
        },
      },
    },
    '/detail': {
      get: {
        operationId: 'getDetail',
        tags: ['queries'],
        summary: 'A user now, or as it was after event `version` (time travel)',
        description: `${READ_YOUR_WRITES} With \`version\` too, the read waits for the later of the two.`,
        parameters: queryParameters(detailRequestSchema),
        responses: {
          '200': entityTagged(
            json(detailBodySchema, 'The user', {
              UserID: 'user-001',
              Name: 'Alice',
              Email: 'alice@example.com',
              Balance: 25,
              Version: 2,
              CreatedAt: '2026-11-29T12:00:00.000Z',
              UpdatedAt: '2026-11-29T12:01:00.000Z',
            }),
          ),
          ...dataRouteErrors(
            ['INVALID_REQUEST', 'USER_NOT_FOUND', 'VERSION_NOT_FOUND', 'VERSION_NOT_REACHED'],
            invalid(
              'Invalid request',
              '/queryStringParameters must have property "user_id"',
              '/queryStringParameters/user_id',
              'is required',
            ),
          ),
        },
      },
    },
    '/history': {
      get: {
        operationId: 'getHistory',
        tags: ['queries'],
        summary: "A user's events, paged",
        description: READ_YOUR_WRITES,
        parameters: queryParameters(historyRequestSchema),
        responses: {
          '200': json(historyBody, 'A page of events', {
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
          ...dataRouteErrors(
            ['INVALID_REQUEST', 'USER_NOT_FOUND', 'VERSION_NOT_REACHED'],
            invalid(
              'Invalid next_token',
              '/queryStringParameters/next_token is not a token this API issued',
              '/queryStringParameters/next_token',
              'is not a token this API issued',
            ),
          ),
        },
      },
    },
    '/export': {
      get: {
        operationId: 'exportUser',
        tags: ['personal data'],
        summary: 'Everything held of a user, from the event store, paged (GDPR Art. 15 and 20)',
        description:
          "The user themself or an administrator. Every event with its payload opened, in version order, up to `limit` (default 1,000) a page; follow `next_token` to the end. The first page also gives the profile and which fields the live read models hold, and records the export (who asked, when). An erased user's export says `erased: true` and opens nothing personal.",
        parameters: queryParameters(exportRequestSchema),
        responses: {
          '200': json(exportBodySchema as unknown as Schema, 'A page of the export', {
            user_id: 'user-001',
            export_id: '3f1c2a9e-0b7d-4c4e-9a51-6d2f8e7b1c00',
            exported_at: '2026-12-07T12:00:00.000Z',
            erased: false,
            profile: {
              name: 'Alice',
              email: 'alice@example.com',
              balance: 25,
              version: 2,
              created_at: '2026-11-29T12:00:00.000Z',
              updated_at: '2026-11-29T12:01:00.000Z',
              deleted: false,
            },
            read_models: [
              {
                read_model: 'user-detail',
                projection_version: 1,
                fields: [
                  'name',
                  'email',
                  'balance',
                  'version',
                  'created_at',
                  'updated_at',
                  'deleted',
                  'erased',
                ],
              },
            ],
            events: [
              {
                sequence: 1,
                event_type: 'USER_CREATED',
                payload: { name: 'Alice', email: 'alice@example.com' },
                occurred_at: '2026-11-29T12:00:00.000Z',
                event_id: '0b0c6c1e-5d1f-4a8e-8f2a-1c9e7d3b2a10',
                correlation_id: 'c-1',
              },
            ],
          }),
          ...dataRouteErrors(
            ['INVALID_REQUEST', 'USER_NOT_FOUND'],
            invalid(
              'Invalid request',
              '/queryStringParameters/limit must be an integer from 1 to 1000',
              '/queryStringParameters/limit',
              'must be an integer from 1 to 1000',
            ),
          ),
        },
      },
    },
    '/erasures/{user_id}': { get: erasureReceiptOperation('path') },
    '/erasures': { get: erasureReceiptOperation('query') },
    '/console/feed': {
      get: {
        operationId: 'getFeed',
        tags: ['console'],
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
          ...dataRouteErrors([]),
        },
      },
    },
    '/stats': {
      get: {
        operationId: 'getStats',
        tags: ['stats'],
        summary:
          'Registrations, deletions, erasures (requested, cancelled, carried out) and balance changes per day (administrators; the stats service, fed by the integration events)',
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
                erasure_requests: 1,
                erasure_cancellations: 0,
              },
            ],
          }),
          ...dataRouteErrors(
            ['INVALID_REQUEST'],
            invalid(
              'Invalid request',
              '/queryStringParameters/to must not be before from',
              '/queryStringParameters/to',
              'must not be before from',
            ),
          ),
        },
      },
    },
    '/openapi.json': staticPage(
      'getOpenApiDocument',
      'documentation',
      'This document',
      'application/json',
    ),
    '/asyncapi.json': staticPage(
      'getAsyncApiDocument',
      'documentation',
      'The integration events other services subscribe to (AsyncAPI 3.0)',
      'application/json',
    ),
    '/docs': staticPage(
      'getDocs',
      'documentation',
      'This document, rendered (Swagger UI, served by the stack)',
      'text/html',
    ),
    '/docs/{asset}': staticAsset('getDocsAsset', 'documentation', "The renderer's files"),
    '/console': staticPage(
      'getConsole',
      'console',
      'The console (stages with the console)',
      'text/html',
    ),
    '/console/{asset}': staticAsset('getConsoleAsset', 'console', "The console's files"),
  },
});
