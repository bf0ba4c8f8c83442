import { answerLikeApiGateway } from './offline-error-responses.cjs';

class FakeLambdaFunction {
  constructor(
    readonly functionName: string,
    private readonly run: () => Promise<unknown>,
  ) {}
  runHandler() {
    return this.run();
  }
}

describe('serverless-offline answers like API Gateway when a function fails', () => {
  const log = jest.fn();
  answerLikeApiGateway(FakeLambdaFunction, (name: string) => name !== 'projector', log);

  const failing = (name: string, message: string) =>
    new FakeLambdaFunction(name, () =>
      Promise.reject(
        Object.assign(new Error(message), { stack: `Error: ${message}\n    at /x.js` }),
      ),
    ).runHandler();

  it('a timeout is a 504 JSON message, without a stack trace', async () => {
    const answer = await failing('command', '[504] - Lambda timeout.');
    expect(answer).toEqual({
      statusCode: 504,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"The function timed out"}',
    });
  });

  it('any other failure is a 502 JSON message, without the error or a path', async () => {
    const answer = (await failing('detail', 'Cannot find module /secret/path.js')) as {
      statusCode: number;
      body: string;
    };
    expect(answer.statusCode).toBe(502);
    expect(JSON.parse(answer.body)).toEqual({ message: 'The function failed' });
  });

  it('a stream-triggered function still fails, so that its batch is retried', async () => {
    await expect(failing('projector', 'boom')).rejects.toThrow('boom');
  });

  it('an answer is passed through untouched', async () => {
    const answer = { statusCode: 200, body: '{}' };
    expect(await new FakeLambdaFunction('list', async () => answer).runHandler()).toBe(answer);
  });
});
