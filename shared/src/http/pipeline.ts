import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import validator from '@middy/validator';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { logger } from '../logger';
import { annotate, observeInvocation } from '../observability';
import type { Validator } from '../validation';
import { type Caller, callerOf } from './caller';
import { errorResponseBody, UNEXPECTED_ERROR } from './error-response';
import { BadRequestError, ForbiddenError, PayloadTooLargeError } from './errors';

export const MAX_BODY_BYTES = 64 * 1024;
export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

export type RequestContext = Context & { correlationId: string; caller: Caller };
export type HttpResponse = {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
  /** The body is base64 of bytes (API Gateway sends the bytes). */
  isBase64Encoded?: boolean;
};
type Request = middy.Request<APIGatewayProxyEventV2, HttpResponse, Error, RequestContext>;

export const jsonResponse = (statusCode: number, body: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const rejectOversizedBody = (): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: ({ event }) => {
    const size = event.body
      ? Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
      : 0;
    if (size > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  },
});

/**
 * Uses the caller's X-Correlation-Id when it is sane, otherwise a fresh one, and echoes it on
 * every answer: registered first, its `onError` runs last, once the error has become a response.
 */
const correlate = (): MiddlewareObj<
  APIGatewayProxyEventV2,
  HttpResponse,
  Error,
  RequestContext
> => {
  const echo = (request: Request) => {
    if (!request.response) return;
    request.response.headers = {
      ...request.response.headers,
      [CORRELATION_HEADER]: request.context.correlationId,
    };
  };
  return {
    before: (request) => {
      const supplied = headerValue(request.event.headers, CORRELATION_HEADER);
      request.context.correlationId =
        supplied && CORRELATION_ID_PATTERN.test(supplied) ? supplied : randomUUID();
      logger.appendKeys({ correlation_id: request.context.correlationId });
      // Found in X-Ray with annotation.correlation_id, here and in the functions the events reach.
      annotate('correlation_id', request.context.correlationId);
    },
    after: echo,
    onError: echo,
  };
};

/** Runs before the header normalizer, so it finds the header whatever its case. */
const headerValue = (headers: Record<string, string | undefined> | undefined, name: string) =>
  Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/** Every route acts for a caller whose token the stage's JWT authorizer verified. */
const identifyCaller = (): MiddlewareObj<
  APIGatewayProxyEventV2,
  HttpResponse,
  Error,
  RequestContext
> => ({
  before: (request) => {
    request.context.caller = callerOf(request.event as never);
  },
});

/** One line per answer, with the request's own keys: the route and status, never the body. */
const logAnswer = (): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> => {
  const log = ({ event, response }: middy.Request<APIGatewayProxyEventV2, HttpResponse>) => {
    logger.info('request answered', { route: event.routeKey, status: response?.statusCode });
  };
  return { after: log, onError: log };
};

const renderErrors = (): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> => ({
  onError: (request) => {
    const explained = errorResponseBody(request.error);
    if (explained) {
      const { status, code, message } = explained.body;
      logger.info('request refused', { status, code, reason: message });
    } else {
      logger.error('request failed', { error: request.error });
    }
    const rendered = explained ?? UNEXPECTED_ERROR;
    request.error = Object.assign(new Error(JSON.stringify(rendered.body)), {
      statusCode: rendered.statusCode,
      expose: true,
      headers: rendered.headers,
    });
  },
});

/**
 * API Gateway (and serverless-offline) join a parameter given twice with a comma, and a comma is
 * valid in a user id: `?user_id=a&user_id=b` would read the user `a,b`. A parameter is taken once
 * or the request is refused, read from the raw query string, the only place the repeat shows.
 */
const refuseRepeatedParameters = (): MiddlewareObj<APIGatewayProxyEventV2> => ({
  before: ({ event }) => {
    const names = [...new URLSearchParams(event.rawQueryString ?? '').keys()];
    const repeated = [...new Set(names.filter((name, at) => names.indexOf(name) !== at))];
    if (repeated.length === 0) return;
    throw new BadRequestError(
      'Invalid request',
      repeated.map((name) => ({
        path: `/queryStringParameters/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`,
        message: 'must be given once',
      })),
    );
  },
});

/** Content-Type is not required: the original API parsed any body as JSON. */
const parseAnyContentType = { disableContentTypeCheck: true };

/**
 * @middy/validator 7 calls `eventSchema` as the compiled function it is (and reads its `errors`),
 * but its typings declare an Ajv instance.
 */
type ValidatorSchema = NonNullable<Parameters<typeof validator>[0]>['eventSchema'];

type HttpHandlerOptions<TEvent> = {
  /** Validates the whole event (body, headers, query string) after JSON parsing. */
  schema?: Validator<TEvent>;
  /** Set for routes that take a JSON body. */
  parseJsonBody?: boolean;
  /** Set only for routes without data (the documentation, the console's files): no caller. */
  public?: boolean;
  /**
   * Whether the caller may make this request, decided on the request as sent (before it is
   * validated, once a parameter given twice is refused): a refusal (403) never depends on, nor
   * tells, anything else.
   */
  authorize?: (event: UnvalidatedEvent, caller: Caller) => boolean;
};

/** A request before validation: any field may be missing or of any type. */
export type UnvalidatedEvent = {
  body?: unknown;
  queryStringParameters?: Record<string, string | undefined> | null;
};

const authorizeCaller = (
  authorize: NonNullable<HttpHandlerOptions<unknown>['authorize']>,
): MiddlewareObj<APIGatewayProxyEventV2, HttpResponse, Error, RequestContext> => ({
  before: (request) => {
    if (!authorize(request.event as UnvalidatedEvent, request.context.caller)) {
      throw new ForbiddenError();
    }
  },
});

/**
 * The one Middy pipeline every HTTP route uses: trace and metrics, correlation id, structured
 * logs, the caller (401 without one), size guard, JSON parsing, schema validation, and every
 * failure rendered as an error answer with a `code` of the closed list (error-codes.ts).
 */
export const httpHandler = <TEvent>(
  options: HttpHandlerOptions<TEvent>,
  handler: (event: TEvent, context: RequestContext) => Promise<HttpResponse>,
) => {
  // onError handlers run in reverse order: render the error (logged with the request's keys),
  // turn it into a response, log it, reset the logger's keys, then echo the correlation id.
  const pipeline = middy<APIGatewayProxyEventV2, HttpResponse, Error, RequestContext>()
    .use(observeInvocation() as MiddlewareObj<APIGatewayProxyEventV2, HttpResponse>[])
    .use(correlate())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logAnswer())
    .use(
      httpErrorHandler({ logger: false, fallbackMessage: JSON.stringify(UNEXPECTED_ERROR.body) }),
    )
    .use(renderErrors())
    .use(httpEventNormalizer())
    .use(httpHeaderNormalizer());
  if (!options.public) pipeline.use(identifyCaller());
  if (options.parseJsonBody) {
    pipeline.use(rejectOversizedBody()).use(httpJsonBodyParser(parseAnyContentType));
  }
  // Before the caller's rights are weighed: they are decided on a parameter's one value, never
  // on two joined with a comma. A route without a schema takes no parameter (the console's feed:
  // its rules read none, and its OpenAPI entry lists no 400).
  if (options.schema) pipeline.use(refuseRepeatedParameters());
  if (options.authorize) pipeline.use(authorizeCaller(options.authorize));
  if (options.schema) {
    pipeline.use(validator({ eventSchema: options.schema as unknown as ValidatorSchema }));
  }
  return pipeline.handler((event, context) => handler(event as unknown as TEvent, context));
};
