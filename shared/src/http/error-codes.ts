/** One problem of an invalid request, for a person: where (a JSON Pointer) and what is wrong. */
export type FieldError = { path: string; message: string };

/** The fields an error answer may carry besides the problem fields, each always of one type. */
export type CarriedFields = {
  /** Every problem of an invalid request as one sentence, as the original API answered. */
  errors: string[];
  fields: FieldError[];
  current_version: number;
  /** The version a read asked for (`min_version`, or a later time-travel `version`). */
  min_version: number;
  balance: number;
  delta: number;
};

/** What every invalid input carries: each problem as a sentence and as a field error. */
const invalidInput = ['errors', 'fields'] as const;

/**
 * Every error the API answers, by code: a closed list that the renderer (error-response.ts), the
 * OpenAPI document (error-schema.ts) and docs/api.md#errors follow. `carries` are the fields an
 * answer with that code always has besides the problem fields; `retryAfter`, that it always has a
 * Retry-After header. The command refusals' codes are the ones clients already use.
 */
export const ERROR_CODES = {
  INVALID_REQUEST: {
    status: 400,
    title: 'Invalid request',
    when: 'A field, header, query or path parameter is missing, unknown or invalid, or a next_token is not one this API issued',
    carries: invalidInput,
  },
  INVALID_JSON: {
    status: 400,
    title: 'Invalid JSON',
    when: 'The body is not JSON',
    carries: invalidInput,
  },
  UNAUTHORIZED: {
    status: 401,
    title: 'Unauthorized',
    when: 'No valid token (a deployed stage, or npm start -- --auth)',
  },
  FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    when: 'The caller may not make this request (docs/api.md#who-may-do-what)',
  },
  USER_NOT_FOUND: {
    status: 404,
    title: 'User not found',
    when: 'No such user: a command on a user never created; a read of an unknown user, or on /detail of a deleted or erased one; /erasures of a user with no erasure receipt',
  },
  VERSION_NOT_FOUND: {
    status: 404,
    title: 'Version not found',
    when: "/detail's `version` is past the user's newest version the read models have applied",
  },
  NOT_FOUND: { status: 404, title: 'Not found', when: 'No such file' },
  USER_ALREADY_EXISTS: {
    status: 409,
    title: 'User already exists',
    when: 'USER_CREATED for a user that exists',
  },
  VERSION_CONFLICT: {
    status: 409,
    title: 'Version conflict',
    when: "`expected_version` is not the user's version, or a race was lost 10 times",
    carries: ['current_version'],
  },
  VERSION_NOT_REACHED: {
    status: 409,
    title: 'Not reached yet',
    when: 'The read models have not reached `min_version` yet: read again after Retry-After',
    carries: ['min_version', 'current_version'],
    retryAfter: true,
  },
  ERASURE_PENDING: {
    status: 409,
    title: 'Erasure pending',
    when: "A command on a user whose erasure is pending its grace period: only USER_ERASURE_CANCELLED (or an administrator's USER_ERASED) is taken",
  },
  ERASURE_NOT_PENDING: {
    status: 409,
    title: 'No erasure pending',
    when: 'USER_ERASURE_CANCELLED for a user with no pending erasure',
  },
  USER_DELETED: { status: 410, title: 'User deleted', when: 'A command on a deleted user' },
  USER_ERASED: { status: 410, title: 'User erased', when: 'A command on an erased user' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large', when: 'A body over 64 KB' },
  INSUFFICIENT_BALANCE: {
    status: 422,
    title: 'Insufficient balance',
    when: 'The balance would go below 0',
    carries: ['balance', 'delta'],
  },
  BALANCE_LIMIT: {
    status: 422,
    title: 'Balance limit',
    when: 'The balance would go beyond 2^53-1',
    carries: ['balance', 'delta'],
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency-Key reused',
    when: 'The Idempotency-Key was used with another body',
  },
  INTERNAL_ERROR: { status: 500, title: 'Internal error', when: 'An unexpected failure' },
  OUTCOME_UNKNOWN: {
    status: 500,
    title: 'Outcome unknown',
    when: 'A write whose outcome could not be learned: read the user before sending it again',
  },
  FUNCTION_FAILED: {
    status: 502,
    title: 'Function failed',
    when: 'The function failed (locally; API Gateway answers this itself in AWS)',
  },
  SERVICE_BUSY: {
    status: 503,
    title: 'Service busy',
    when: 'AWS throttled (or did not answer) a request past the retries; nothing stored',
    retryAfter: true,
  },
  NEWER_RELEASE: {
    status: 503,
    title: 'Newer release',
    when: "The user's events were written by a newer release",
    retryAfter: true,
  },
  FUNCTION_TIMEOUT: {
    status: 504,
    title: 'Function timed out',
    when: 'The function timed out (locally; API Gateway answers this itself in AWS)',
  },
} as const satisfies Record<
  string,
  {
    status: number;
    title: string;
    when: string;
    carries?: readonly (keyof CarriedFields)[];
    retryAfter?: true;
  }
>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The fields an answer with `code` always carries (none for most codes). */
export type CarriedBy<C extends ErrorCode> = (typeof ERROR_CODES)[C] extends {
  carries: readonly (infer F extends keyof CarriedFields)[];
}
  ? F
  : never;

export const carriedBy = (code: ErrorCode): readonly (keyof CarriedFields)[] => {
  const definition = ERROR_CODES[code];
  return 'carries' in definition ? definition.carries : [];
};

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/**
 * RFC 9457 `type`: one absolute URI per code, stable across stages and hosts (an identifier to
 * compare, documented in docs/api.md#errors; `code` carries the same name).
 */
export const problemType = (code: ErrorCode) => `https://github.com/users-cqrs/errors#${code}`;
