import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

type Environment = Record<string, string | undefined>;

/**
 * Whether Powertools' Tracer may trace in this process: in Lambda, unless the stage turned
 * tracing off (POWERTOOLS_TRACE_ENABLED=false). The Tracer applies the same rule, and more, once
 * loaded; this one only decides whether to load it at all.
 */
export const mayTrace = (env: Environment = process.env) =>
  Boolean(env.AWS_EXECUTION_ENV) && env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false';

/**
 * Loaded only where it may trace: the Tracer brings the X-Ray SDK and its async hooks, 10-20 ms
 * more of a cold start (`npm run bench`, cold start: importMsTraced against importMs). Everywhere
 * else (serverless offline, tests, scripts, a stage with tracing off) every function below is a
 * no-op.
 */
const loadTracer = (): Tracer | undefined => {
  try {
    // A require, not an import: a bundle carries this module in a file of its own beside it
    // (shared/serverless/esbuild-plugins.cjs), read only here.
    return new (require('./powertools-tracer') as typeof import('./powertools-tracer')).Tracer();
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    // A package without that file (packaged some other way) runs untraced, loudly, rather than
    // failing every invocation at init.
    console.error(
      JSON.stringify({
        level: 'ERROR',
        message: 'The Tracer is missing from the package: untraced',
      }),
    );
    return undefined;
  }
};

export const tracer: Tracer | undefined = mayTrace() ? loadTracer() : undefined;

/** Every call the client makes becomes a subsegment of the function's trace. */
export const traceClient = <Client>(client: Client): Client =>
  tracer ? tracer.captureAWSv3Client(client) : client;

export const annotate = (key: string, value: string) => tracer?.putAnnotation(key, value);

export const currentSegment = () => (tracer?.isTracingEnabled() ? tracer.getSegment() : undefined);

type Answered = { response?: unknown };

/** A 4xx answer is the caller's mistake, rendered by the pipeline: the function did its job. */
export const answeredWithClientError = ({ response }: Answered) => {
  const status = (response as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
};

/**
 * The handler's subsegment, without the response (it may hold personal data). An invocation that
 * ended in a 4xx closes it as a success: otherwise X-Ray would mark every refused command a fault.
 * Nothing where nothing traces (Middy refuses an empty middleware).
 */
export const traceHandler = <TEvent, TResult, TContext>(
  traced: Tracer | undefined = tracer,
): MiddlewareObj<TEvent, TResult, Error, TContext>[] => {
  if (!traced) return [];
  const { before, after, onError } = captureLambdaHandler(traced, { captureResponse: false });
  return [
    {
      before,
      after,
      onError: (request) =>
        answeredWithClientError(request) ? after?.(request as never) : onError?.(request as never),
    } as MiddlewareObj<TEvent, TResult, Error, TContext>,
  ];
};
