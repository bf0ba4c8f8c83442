import type { ErrorCode } from './api-types';

export type Send = (request: Request) => Promise<Response>;

export type RetryOptions = {
  /** Attempts in all, the first included (1: never retry). */
  maxAttempts?: number;
  /** The most a call waits in all between its attempts; a longer Retry-After ends it at once. */
  maxWaitMs?: number;
};

export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 4, maxWaitMs: 10_000 };

const VERSION_NOT_REACHED = 'VERSION_NOT_REACHED' satisfies ErrorCode;
const OUTCOME_UNKNOWN = 'OUTCOME_UNKNOWN' satisfies ErrorCode;

/**
 * Without a Retry-After (API Gateway's own 429 has none): a second or more, doubling, plus up to
 * half again at random, so that throttled clients do not come back in step.
 */
const backoffMs = (attempt: number) => {
  const step = 1000 * 2 ** (attempt - 1);
  return Math.round(step + Math.random() * (step / 2));
};

/** RFC 9110's preferred HTTP date, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Retry-After in seconds (what this API sends), or as an HTTP date; anything else (`1.5`, `-1`,
 * which Date.parse would take for dates long past) is no Retry-After: the backoff applies.
 */
const retryAfterMs = (response: Response) => {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!IMF_FIXDATE.test(value)) return undefined;
  return Math.max(0, Date.parse(value) - Date.now());
};

const codeOf = async (response: Response) => {
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  return typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
};

/**
 * How long to wait before trying a request again, or `undefined`: its answer stands.
 * - 429: throttled before any function ran: always safe to repeat.
 * - 503: the API says nothing was stored (busy, or a newer release), but a 503 from API Gateway
 *   itself says nothing of a command: a command is repeated only with its Idempotency-Key (as
 *   `sendCommand` always sends it); a read always.
 * - 409 VERSION_NOT_REACHED: a read asked for a version the read models have not reached yet.
 * - 500 OUTCOME_UNKNOWN: the write may or may not be stored. Sent again with the same
 *   Idempotency-Key it is stored at most once: the event and its key record are written in one
 *   transaction, so the retry either replays the first answer or is decided for the first time.
 *   Without a key a retry could store it twice, so it is not retried.
 * Nothing else is: a refusal is the answer, and a 502/504 or another 500 says nothing of whether
 * trying again helps.
 */
const waitBefore = async (request: Request, response: Response, attempt: number) => {
  const wait = () => retryAfterMs(response) ?? backoffMs(attempt);
  switch (response.status) {
    case 429:
      return wait();
    case 503:
      return request.method === 'GET' || request.headers.has('idempotency-key')
        ? wait()
        : undefined;
    case 409:
      return (await codeOf(response)) === VERSION_NOT_REACHED ? wait() : undefined;
    case 500:
      return request.headers.has('idempotency-key') && (await codeOf(response)) === OUTCOME_UNKNOWN
        ? wait()
        : undefined;
    default:
      return undefined;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `send`, trying a request again while its answer says to (see `waitBefore`), at most
 * `maxAttempts` times and `maxWaitMs` waited in all; then the last answer is the call's. Every
 * attempt is the same request: same body, same Idempotency-Key.
 */
export const retrying =
  (send: Send, { maxAttempts, maxWaitMs }: Required<RetryOptions>): Send =>
  async (request) => {
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const response = await send(request.clone());
      const wait = attempt < maxAttempts ? await waitBefore(request, response, attempt) : undefined;
      if (wait === undefined || waited + wait > maxWaitMs) return response;
      await response.body?.cancel();
      await sleep(wait);
      waited += wait;
    }
  };
