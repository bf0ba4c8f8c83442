import type { HttpHandler, HttpRequest } from '@smithy/core/protocols';
import { HttpResponse } from '@smithy/core/protocols';
import type { HttpHandlerOptions } from '@smithy/types';
import { DynamoDBError } from './errors';
import type { SimulatedDynamoDB } from './simulated-dynamodb';

/** One request as the emulator sees it, with what the SDK said about its time. */
export type SimulatedCall = {
  operation: string;
  input: Record<string, unknown>;
  abortSignal?: HttpHandlerOptions['abortSignal'];
  requestTimeout?: number;
};

/**
 * The seam for faults: called for every request with the way to run it. It may wait before or
 * after running it, run it and lose the answer (throw a network error), or not run it at all
 * (throw a DynamoDBError such as a throttle). The default just runs it.
 */
export type Around = (call: SimulatedCall, execute: () => object) => Promise<object>;

const TARGET_PREFIX = 'DynamoDB_20120810.';
const ERROR_NAMESPACE = 'com.amazonaws.dynamodb.v20120810#';
const decoder = new TextDecoder();

const header = (request: HttpRequest, name: string) =>
  Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];

const bodyText = (body: unknown): string =>
  typeof body === 'string' ? body : body instanceof Uint8Array ? decoder.decode(body) : '{}';

const respond = (statusCode: number, body: object, requestId: string) =>
  new HttpResponse({
    statusCode,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': requestId,
    },
    body: Buffer.from(JSON.stringify(body)),
  });

/** DynamoDB's error body: `Message` for a cancelled transaction, `message` for the rest. */
const errorBody = (error: DynamoDBError) => ({
  __type: `${ERROR_NAMESPACE}${error.name}`,
  [error.name === 'TransactionCanceledException' ? 'Message' : 'message']: error.message,
  ...error.fields,
});

const STATUS: Record<string, number> = { InternalServerError: 500, ServiceUnavailable: 503 };

/** What node-http-handler throws when the SDK aborts a request. */
const abortError = (signal: NonNullable<SimulatedCall['abortSignal']>) => {
  const reason = (signal as { reason?: unknown }).reason;
  return Object.assign(new Error('Request aborted'), {
    name: 'AbortError',
    ...(reason instanceof Error && { cause: reason }),
  });
};

/** Rejects when the signal aborts first, as a real connection would be torn down. */
export const unlessAborted = <T>(
  work: Promise<T>,
  signal: SimulatedCall['abortSignal'],
): Promise<T> => {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    const target = signal as unknown as EventTarget;
    target.addEventListener?.('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => target.removeEventListener?.('abort', onAbort));
  });
};

/**
 * A Smithy HTTP handler that answers a real DynamoDBClient from the emulator, in DynamoDB's
 * JSON protocol: the SDK's own serialisation, error classes and retries stay in the loop.
 * It keeps no timers: a stalled answer lasts until `around` ends it or the SDK aborts.
 */
export const simulatedRequestHandler = (
  emulator: SimulatedDynamoDB,
  around: Around = async (_call, execute) => execute(),
): HttpHandler<Record<string, unknown>> => {
  let config: Record<string, unknown> = {};
  let requests = 0;
  return {
    async handle(request: HttpRequest, options: HttpHandlerOptions = {}) {
      const requestId = `simulated-${++requests}`;
      const target = String(header(request, 'x-amz-target') ?? '');
      const operation = target.startsWith(TARGET_PREFIX)
        ? target.slice(TARGET_PREFIX.length)
        : target;
      const call: SimulatedCall = {
        operation,
        input: JSON.parse(bodyText(request.body)),
        abortSignal: options.abortSignal,
        requestTimeout: options.requestTimeout ?? (config.requestTimeout as number | undefined),
      };
      try {
        const output = await unlessAborted(
          around(call, () => emulator.execute(operation, call.input)),
          options.abortSignal,
        );
        return { response: respond(200, output, requestId) };
      } catch (error) {
        if (!(error instanceof DynamoDBError)) throw error;
        return { response: respond(STATUS[error.name] ?? 400, errorBody(error), requestId) };
      }
    },
    updateHttpClientConfig(key, value) {
      config = { ...config, [key]: value };
    },
    httpHandlerConfigs: () => config,
    destroy() {},
  };
};
