import { NewerSchemaVersionError } from '../events/errors';
import { describeErrors } from '../validation';
import { HttpError } from './errors';

type RenderedError = {
  statusCode: number;
  message: string;
  body: { message: string; errors?: string[] } & Record<string, unknown>;
  headers?: Record<string, string>;
};

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
    const errors = describeErrors(error.cause?.data as Parameters<typeof describeErrors>[0]);
    return rendered(400, 'Invalid request', { errors });
  }
  // Middy 7 refuses a body holding a "__proto__" (or "constructor" with a "prototype") key with
  // 422 (it used to parse it, and the schema refused the property) and malformed JSON with 422
  // (415 in Middy 6): both are a bad request here.
  if (origin === '@middy/http-json-body-parser' && error.message === FORBIDDEN_KEY) {
    return rendered(400, 'Invalid request', {
      errors: [`/body must not have property "${String(error.cause?.data)}"`],
    });
  }
  if (origin === '@middy/http-json-body-parser') {
    return rendered(400, 'Request body must be valid JSON', {
      errors: ['/body is not valid JSON'],
    });
  }
  if (error.statusCode !== undefined && error.statusCode < 500) {
    return rendered(error.statusCode, error.message, {});
  }
  return undefined;
};

const rendered = (
  statusCode: number,
  message: string,
  details: Record<string, unknown>,
): RenderedError => ({ statusCode, message, body: { message, ...details } });

/** Maps any thrown error to the JSON error body clients see; undefined means "unexpected: 500". */
export const errorResponseBody = (error: unknown): RenderedError | undefined => {
  if (error instanceof HttpError) return rendered(error.statusCode, error.message, error.details);
  if (error instanceof NewerSchemaVersionError) {
    return {
      ...rendered(503, "This user's events were written by a newer release; try again later", {}),
      headers: { 'retry-after': NEWER_RELEASE_RETRY_AFTER_SECONDS },
    };
  }
  if (error instanceof Error && error.name === OUTCOME_UNKNOWN) {
    return rendered(
      500,
      'The command may or may not have been stored: read the user before sending it again, or send it with an Idempotency-Key',
      { code: 'OUTCOME_UNKNOWN' },
    );
  }
  if (error instanceof Error && (isBusy(error) || error.name === TOO_LATE)) {
    return {
      ...rendered(503, 'The service is busy; try again shortly', {}),
      headers: { 'retry-after': RETRY_AFTER_SECONDS },
    };
  }
  if (error instanceof Error) return fromMiddy(error as MiddyError);
  return undefined;
};
