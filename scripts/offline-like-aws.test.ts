import { exampleBody } from '../shared/src/http/error-schema';
import { behaveLikeAws } from './offline-like-aws.cjs';

type Event = { headers?: Record<string, string>; requestContext?: Record<string, unknown> };

class FakeLambdaFunction {
  event?: Event;
  constructor(
    readonly functionName: string,
    private readonly run: (event?: Event) => Promise<unknown>,
  ) {}
  setEvent(event: Event) {
    this.event = event;
  }
  runHandler() {
    return this.run(this.event);
  }
}

const VALID = 'Bearer valid';

describe('serverless-offline made to behave like AWS', () => {
  behaveLikeAws(
    FakeLambdaFunction,
    (name: string) => (name === 'projector' ? 'stream' : 'http'),
    jest.fn(),
    async (authorization) =>
      authorization === VALID ? { sub: 'alice', 'cognito:groups': ['admin', 'ops'] } : undefined,
  );

  const invoked = async (event: Event) => {
    const lambda = new FakeLambdaFunction('detail', async (seen) => ({ statusCode: 200, seen }));
    lambda.setEvent(event);
    return lambda.runHandler() as Promise<{ statusCode: number; seen?: Event }>;
  };

  it('answers 401 JSON with the message of a JWT authorizer, without a verified token', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer forged' },
      { authorization: 'valid' },
    ];
    for (const headers of attempts) {
      expect(await invoked({ headers })).toEqual({
        statusCode: 401,
        headers: { 'content-type': 'application/json', 'x-correlation-id': expect.any(String) },
        body: JSON.stringify(exampleBody('UNAUTHORIZED')),
      });
      const { body } = (await invoked({ headers })) as { body?: string };
      expect(JSON.parse(body ?? '')).toMatchObject({
        message: 'Unauthorized',
        code: 'UNAUTHORIZED',
      });
    }
  });

  it('hands the verified claims over as API Gateway does, whatever the request claimed', async () => {
    const answer = await invoked({
      headers: { authorization: VALID },
      requestContext: { authorizer: { jwt: { claims: { sub: 'mallory' } } }, http: {} },
    });
    expect(answer.seen?.requestContext).toEqual({
      http: {},
      authorizer: {
        jwt: { claims: { sub: 'alice', 'cognito:groups': '[admin ops]' }, scopes: null },
      },
    });
  });

  const failing = (name: string, message: string) => {
    const lambda = new FakeLambdaFunction(name, () =>
      Promise.reject(
        Object.assign(new Error(message), { stack: `Error: ${message}\n    at /x.js` }),
      ),
    );
    lambda.setEvent({ headers: { authorization: VALID, 'x-correlation-id': 'trace-7' } });
    return lambda.runHandler();
  };

  it('a timed-out HTTP function answers a 504 JSON message, without a stack trace', async () => {
    const answer = (await failing('command', '[504] - Lambda timeout.')) as { body: string };
    expect(answer).toEqual({
      statusCode: 504,
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'trace-7' },
      body: expect.any(String),
    });
    expect(JSON.parse(answer.body)).toEqual({
      message: 'The function timed out',
      code: 'FUNCTION_TIMEOUT',
      type: 'https://github.com/users-cqrs/errors#FUNCTION_TIMEOUT',
      title: 'Function timed out',
      status: 504,
      detail: 'The function timed out',
    });
  });

  it('any other failure answers a 502 JSON message, without the error or a path', async () => {
    const answer = (await failing('detail', 'Cannot find module /secret/path.js')) as {
      statusCode: number;
      body: string;
    };
    expect(answer.statusCode).toBe(502);
    expect(JSON.parse(answer.body)).toEqual(exampleBody('FUNCTION_FAILED'));
    expect(JSON.parse(answer.body)).toMatchObject({ message: 'The function failed', status: 502 });
  });

  it('a stream function still fails, so that its batch is retried', async () => {
    await expect(failing('projector', 'boom')).rejects.toThrow('boom');
  });

  it('a stream function that reports failed records fails its batch, to have it redelivered', async () => {
    const partial = new FakeLambdaFunction('projector', async () => ({
      batchItemFailures: [{ itemIdentifier: '42' }],
    }));
    await expect(partial.runHandler()).rejects.toThrow(/1 record\(s\) reported failed/);
    const clean = { batchItemFailures: [] };
    expect(await new FakeLambdaFunction('projector', async () => clean).runHandler()).toBe(clean);
  });

  it('an answer is passed through untouched', async () => {
    const answer = { statusCode: 200, body: '{}' };
    const lambda = new FakeLambdaFunction('list', async () => answer);
    lambda.setEvent({ headers: { authorization: VALID } });
    expect(await lambda.runHandler()).toBe(answer);
  });
});
