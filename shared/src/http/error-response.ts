import { NewerSchemaVersionError } from '../events/errors';
import { describeErrors, describeFields } from '../validation';
import { ERROR_CODES, type ErrorCode, problemType } from './error-codes';
import { HttpError, invalidInputDetails } from './errors';

/**
 * An error answer: RFC 9457's problem fields (`type`, `title`, `status`, `detail`) beside the
 * original API's `message` (the same text as `detail`) and the `code` of the closed list, plus the
 * fields that code carries.
 */
export type ProblemBody = {
  message: string;
  code: ErrorCode;
  type: string;
  title: string;
  status: number;
  detail: string;
} & Record<string, unknown>;

export type RenderedError = {
  statusCode: number;
  body: ProblemBody;
  headers?: Record<string, string>;
};

export const problemBody = (
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): ProblemBody => {
  const { status, title } = ERROR_CODES[code];
  return { message, code, type: problemType(code), title, status, detail: message, ...details };
};

const rendered = (
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  headers?: Record<string, string>,
): RenderedError => ({
  statusCode: ERROR_CODES[code].status,
  body: problemBody(code, message, details),
  ...(headers && Object.keys(headers).length > 0 && { headers }),
});

/** Any error nothing else explains: no detail of it leaves the function (it is logged). */
export const UNEXPECTED_ERROR = rendered('INTERNAL_ERROR', 'Internal server error');

/** AWS asked to slow down, and the SDK's own retries did not get through: retry a moment later. */
const BUSY_ERRORS = [
  // A request given up after its timeout, retried by the SDK to no avail (a write's outcome is
  // looked for before this answer: docs/api.md).
  'TimeoutError',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TransactionConflictException',
  'TransactionInProgressException',
  // An erasure request whose schedule EventBridge Scheduler did not make: nothing was stored.
  'ErasureNotScheduled',
];
const BUSY_CANCELLATIONS = [
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'TransactionConflict',
];
const RETRY_AFTER_SECONDS = '1';
/**
 * A write whose answer was lost and whose outcome no read could learn before the answer was due
 * (the event store refusing every request meanwhile): it may be stored, so never "try again".
 */
const OUTCOME_UNKNOWN = 'WriteOutcomeUnknown';

/** Too little of the function's time was left to write safely: nothing stored, try again. */
const TOO_LATE = 'TooLateToWrite';

/** A deployment of the reading service takes minutes. */
const NEWER_RELEASE_RETRY_AFTER_SECONDS = '60';

/** Nothing was written: a transaction is cancelled whole. */
const isBusy = (error: Error & { CancellationReasons?: { Code?: string }[] }) =>
  BUSY_ERRORS.includes(error.name) ||
  (error.name === 'TransactionCanceledException' &&
    (error.CancellationReasons ?? []).some((reason) =>
      BUSY_CANCELLATIONS.includes(reason.Code ?? ''),
    ));

type MiddyError = Omit<Error, 'cause'> & {
  statusCode?: number;
  cause?: { package?: string; data?: unknown };
};

/** The message of @middy/http-json-body-parser's refusal of a prototype-polluting key. */
const FORBIDDEN_KEY = 'Forbidden key in JSON body';

const fromMiddy = (error: MiddyError): RenderedError | undefined => {
  const origin = error.cause?.package;
  if (origin === '@middy/validator' && error.statusCode === 400) {
    const problems = error.cause?.data as Parameters<typeof describeErrors>[0];
    return rendered('INVALID_REQUEST', 'Invalid request', {
      errors: describeErrors(problems),
      fields: describeFields(problems),
    });
  }
  // Middy 7 refuses a body holding a "__proto__" (or "constructor" with a "prototype") key with
  // 422 (it used to parse it, and the schema refused the property) and malformed JSON with 422
  // (415 in Middy 6): both are a bad request here.
  if (origin === '@middy/http-json-body-parser' && error.message === FORBIDDEN_KEY) {
    const key = String(error.cause?.data);
    return rendered('INVALID_REQUEST', 'Invalid request', {
      errors: [`/body must not have property "${key}"`],
      fields: [{ path: `/body/${key}`, message: 'is not allowed' }],
    });
  }
  if (origin === '@middy/http-json-body-parser') {
    return rendered(
      'INVALID_JSON',
      'Request body must be valid JSON',
      invalidInputDetails([{ path: '/body', message: 'is not valid JSON' }]),
    );
  }
  // Any other refusal of a request by a Middy middleware is still the caller's to fix, never a
  // 5xx; an error of another library that happens to carry a statusCode says nothing to a caller.
  if (origin?.startsWith('@middy/') && error.statusCode !== undefined && error.statusCode < 500) {
    return rendered('INVALID_REQUEST', error.message, invalidInputDetails([]));
  }
  return undefined;
};

/**
 * Maps any thrown error to the error answer clients see; undefined means "unexpected" (logged,
 * then answered UNEXPECTED_ERROR).
 */
export const errorResponseBody = (error: unknown): RenderedError | undefined => {
  if (error instanceof HttpError) {
    return rendered(error.code, error.message, error.details, error.headers);
  }
  if (error instanceof NewerSchemaVersionError) {
    return rendered(
      'NEWER_RELEASE',
      "This user's events were written by a newer release; try again later",
      {},
      { 'retry-after': NEWER_RELEASE_RETRY_AFTER_SECONDS },
    );
  }
  if (error instanceof Error && error.name === OUTCOME_UNKNOWN) {
    return rendered(
      'OUTCOME_UNKNOWN',
      'The command may or may not have been stored: read the user before sending it again, or send it with an Idempotency-Key',
    );
  }
  if (error instanceof Error && (isBusy(error) || error.name === TOO_LATE)) {
    return rendered(
      'SERVICE_BUSY',
      'The service is busy; try again shortly',
      {},
      { 'retry-after': RETRY_AFTER_SECONDS },
    );
  }
  if (error instanceof Error) return fromMiddy(error as MiddyError);
  return undefined;
};
