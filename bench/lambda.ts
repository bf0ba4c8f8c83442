import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** What API Gateway (HTTP API, payload 2.0) hands a handler, for in-process invocations. */
export const httpEvent = (
  method: string,
  path: string,
  {
    body,
    headers = {},
    query,
  }: { body?: unknown; headers?: Record<string, string>; query?: Record<string, string> } = {},
): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { 'content-type': 'application/json', ...headers },
    queryStringParameters: query,
    requestContext: {
      http: { method, path },
      requestId: 'bench',
      timeEpoch: Date.now(),
      // As the stage's JWT authorizer hands them over: an administrator may act on any user.
      authorizer: { jwt: { claims: { sub: 'bench', scope: 'users/admin' }, scopes: null } },
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

export const lambdaContext = (functionName: string): Context =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: 'bench',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }) as Context;

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<{ statusCode: number; body: string }>;
