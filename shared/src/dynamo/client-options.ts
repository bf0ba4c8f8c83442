/**
 * What every AWS client inside a function is built with. The SDK's own defaults wait minutes for
 * a stalled answer (a request timeout only logs a warning unless told to throw): a stalled answer
 * would then outlast the function's 10 s timeout, with a write maybe landed and nothing retried.
 * With these, a stalled request is given up after 1.5 s and retried by the SDK (3 attempts in
 * all), so that even two stalls and a lookup of a write whose answer was lost fit in one
 * invocation (docs/scale.md, timeouts).
 */
export const FUNCTION_CLIENT_OPTIONS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_500, throwOnRequestTimeout: true },
} as const;
