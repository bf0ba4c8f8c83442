import type { Tracer } from '@aws-lambda-powertools/tracer';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import { BadRequestError } from '../http/errors';
import { mayTrace, traceHandler } from './tracing';

/** What captureLambdaHandler asks of its Tracer, recorded. */
const recordingTracer = () => {
  const seen = { errors: [] as unknown[], opened: 0, closed: 0 };
  const handlerSegment = { close: () => seen.closed++ };
  const lambdaSegment = {
    addNewSubsegment: () => {
      seen.opened++;
      return handlerSegment;
    },
  };
  let current: unknown = lambdaSegment;
  const tracer = {
    isTracingEnabled: () => true,
    getSegment: () => current,
    setSegment: (segment: unknown) => {
      current = segment;
    },
    annotateColdStart: () => {},
    addServiceNameAnnotation: () => {},
    addResponseAsMetadata: () => {},
    addErrorAsMetadata: (error: unknown) => seen.errors.push(error),
  };
  return { tracer: tracer as unknown as Tracer, seen };
};

const tracedHttpFunction = (tracer: Tracer, failure: Error) =>
  middy()
    .use(traceHandler(tracer))
    .use(httpErrorHandler({ logger: false }))
    .handler(async () => {
      throw failure;
    });

describe('tracing', () => {
  it('loads the Tracer only in Lambda, and not on a stage that turned tracing off', () => {
    expect(mayTrace({})).toBe(false);
    expect(mayTrace({ AWS_LAMBDA_FUNCTION_NAME: 'offline' })).toBe(false);
    expect(mayTrace({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toBe(true);
    expect(
      mayTrace({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'true' }),
    ).toBe(true);
    expect(
      mayTrace({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'FALSE' }),
    ).toBe(false);
  });

  it('never loads the X-Ray SDK where nothing traces (it is most of the Tracer cold start)', () => {
    const loaded = jest.fn();
    jest.isolateModules(() => {
      jest.doMock('@aws-lambda-powertools/tracer', () => {
        loaded();
        return jest.requireActual('@aws-lambda-powertools/tracer');
      });
      const { tracer } = require('./tracing');
      expect(tracer).toBeUndefined();
    });
    expect(loaded).not.toHaveBeenCalled();
  });

  it('traces a request the caller got wrong (4xx) as a success, not a fault of the function', async () => {
    const { tracer, seen } = recordingTracer();
    const answer = await tracedHttpFunction(tracer, new BadRequestError('Invalid request'))(
      {},
      {} as never,
    );
    expect(answer.statusCode).toBe(400);
    expect(seen).toEqual({ errors: [], opened: 1, closed: 1 });
  });

  it('records a failure of the function (5xx) as the error of its segment', async () => {
    const { tracer, seen } = recordingTracer();
    const failure = new Error('DynamoDB unreachable');
    const answer = await tracedHttpFunction(tracer, failure)({}, {} as never);
    expect(answer.statusCode).toBe(500);
    // By then the error handler has put its generic 500 in the error's place (the original is in
    // the function's log line "request failed").
    expect(seen).toEqual({
      errors: [expect.objectContaining({ statusCode: 500 })],
      opened: 1,
      closed: 1,
    });
  });

  it('records a failed invocation without an HTTP answer (a stream batch) as an error', async () => {
    const { tracer, seen } = recordingTracer();
    const failure = new Error('batch failed');
    const invoke = middy()
      .use(traceHandler(tracer))
      .handler(async () => {
        throw failure;
      });
    await expect(invoke({}, {} as never)).rejects.toBe(failure);
    expect(seen).toEqual({ errors: [failure], opened: 1, closed: 1 });
  });
});

describe('a package without the Tracer file', () => {
  it('runs untraced and says so, rather than failing every invocation at init', () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => {});
    const previous = process.env.AWS_EXECUTION_ENV;
    process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
    try {
      jest.isolateModules(() => {
        jest.doMock('./powertools-tracer', () => {
          throw Object.assign(new Error("Cannot find module './handler.tracer.js'"), {
            code: 'MODULE_NOT_FOUND',
          });
        });
        const { tracer } = require('./tracing') as typeof import('./tracing');
        expect(tracer).toBeUndefined();
      });
      expect(String(logged.mock.calls[0]?.[0])).toMatch(/Tracer is missing/);
    } finally {
      process.env.AWS_EXECUTION_ENV = previous;
      logged.mockRestore();
      jest.dontMock('./powertools-tracer');
    }
  });
});
