import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createAjv } from '../../../scripts/validators/compiler';
import type { Validator } from '../validation';
import { CORRELATION_HEADER, httpHandler, jsonResponse } from './pipeline';

/**
 * The Middy pipeline run in process, on the answers that changed meaning between Middy 6 and 7:
 * each still reaches the client as it did.
 */
const bodySchema = {
  type: 'object',
  properties: {
    body: {
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
      additionalProperties: false,
    },
  },
  required: ['body'],
};
const validate = createAjv().compile(bodySchema) as Validator<{ body: { name: string } }>;

const seen: { headers?: Record<string, string | undefined> } = {};
const handler = httpHandler(
  { public: true, parseJsonBody: true, schema: validate },
  async (event) => {
    seen.headers = (event as unknown as APIGatewayProxyEventV2).headers;
    return jsonResponse(200, { hello: event.body.name });
  },
);
const failing = httpHandler({ public: true }, async () => {
  throw new Error('boom');
});

const context = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
  memoryLimitInMB: '128',
  awsRequestId: 'request-1',
  getRemainingTimeInMillis: () => 1000,
} as never;

const request = (
  body: string | undefined,
  headers: Record<string, string> = {},
  rawQueryString = '',
) =>
  ({
    version: '2.0',
    routeKey: 'POST /test',
    rawPath: '/test',
    rawQueryString,
    headers: { 'X-Correlation-Id': 'abc-123', ...headers },
    requestContext: { http: { method: 'POST', path: '/test' } },
    body,
    isBase64Encoded: false,
  }) as never;

type Answer = { statusCode: number; headers: Record<string, string>; body: string };

/** The problem fields every error answer has, for a code, with its message as `detail`. */
const problem = (code: string, title: string, status: number, message: string) => ({
  message,
  code,
  type: `https://github.com/users-cqrs/errors#${code}`,
  title,
  status,
  detail: message,
});
const call = async (
  body: string | undefined,
  headers?: Record<string, string>,
  rawQueryString?: string,
) => {
  const answer = (await handler(request(body, headers, rawQueryString), context)) as Answer;
  return { ...answer, json: JSON.parse(answer.body) };
};

describe('the HTTP pipeline', () => {
  it('parses a JSON body whatever its Content-Type and answers with the correlation id', async () => {
    const answer = await call('{"name":"Ada"}', { 'Content-Type': 'text/plain' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json).toEqual({ hello: 'Ada' });
    expect(answer.headers[CORRELATION_HEADER]).toBe('abc-123');
    expect(seen.headers?.['content-type']).toBe('text/plain');
  });

  // Middy 7's body parser throws 422 for these (Middy 6: 415); the client still gets 400.
  it.each([
    ['malformed JSON', '{"name": '],
    ['an empty body', ''],
    ['no body', undefined],
  ])('answers 400 for %s', async (_, body) => {
    const answer = await call(body);
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['Content-Type']).toBe('application/json');
    expect(answer.headers[CORRELATION_HEADER]).toBe('abc-123');
    expect(answer.json).toEqual({
      ...problem('INVALID_JSON', 'Invalid JSON', 400, 'Request body must be valid JSON'),
      errors: ['/body is not valid JSON'],
      fields: [{ path: '/body', message: 'is not valid JSON' }],
    });
  });

  // Middy 7 refuses the key while parsing (422); Middy 6 parsed it and the schema refused it.
  it('answers 400 naming the property for a "__proto__" key', async () => {
    const answer = await call('{"name":"Ada","__proto__":{"admin":true}}');
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toEqual({
      ...problem('INVALID_REQUEST', 'Invalid request', 400, 'Invalid request'),
      errors: ['/body must not have property "__proto__"'],
      fields: [{ path: '/body/__proto__', message: 'is not allowed' }],
    });
  });

  it('answers 400 with the validator errors for a body that breaks the schema', async () => {
    const answer = await call('{"name":1,"extra":true}');
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toEqual({
      ...problem('INVALID_REQUEST', 'Invalid request', 400, 'Invalid request'),
      errors: ['/body must not have property "extra"', '/body/name must be string'],
      fields: [
        { path: '/body/extra', message: 'is not allowed' },
        { path: '/body/name', message: 'must be text' },
      ],
    });
  });

  // API Gateway would hand the handler `user_id: "a,b"`, a valid id of another user.
  it('answers 400 naming each parameter given more than once, whatever its encoding', async () => {
    const answer = await call('{"name":"Ada"}', {}, 'user_id=a&limit=1&user%5Fid=b&a%2Fb=1&a/b=2');
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toEqual({
      ...problem('INVALID_REQUEST', 'Invalid request', 400, 'Invalid request'),
      errors: [
        '/queryStringParameters/user_id must be given once',
        '/queryStringParameters/a~1b must be given once',
      ],
      fields: [
        { path: '/queryStringParameters/user_id', message: 'must be given once' },
        { path: '/queryStringParameters/a~1b', message: 'must be given once' },
      ],
    });
  });

  it('refuses a repeat before the caller is authorized: never a 403 decided on two values joined', async () => {
    const refusing = httpHandler(
      { public: true, parseJsonBody: true, schema: validate, authorize: () => false },
      async () => jsonResponse(200, {}),
    );
    const answer = (await refusing(
      request('{"name":"Ada"}', {}, 'user_id=a&user_id=a'),
      context,
    )) as Answer;
    expect(answer.statusCode).toBe(400);
    const once = (await refusing(request('{"name":"Ada"}', {}, 'user_id=a'), context)) as Answer;
    expect(once.statusCode).toBe(403);
  });

  it('takes parameters each given once', async () => {
    const answer = await call('{"name":"Ada"}', {}, 'user_id=a%2Cb&limit=1');
    expect(answer.statusCode).toBe(200);
  });

  it('answers 500 INTERNAL_ERROR with a JSON body, and no detail, for an unexpected error', async () => {
    const answer = (await failing(request(undefined), context)) as Answer;
    expect(answer.statusCode).toBe(500);
    expect(answer.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(answer.body)).toEqual(
      problem('INTERNAL_ERROR', 'Internal error', 500, 'Internal server error'),
    );
    expect(answer.body).not.toMatch(/boom|stack|\.ts/);
    expect(answer.headers[CORRELATION_HEADER]).toBe('abc-123');
  });
});
