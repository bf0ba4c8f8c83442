import {
  type CarriedBy,
  type CarriedFields,
  ERROR_CODES,
  type ErrorCode,
  type FieldError,
} from './error-codes';

/**
 * Errors that carry their HTTP meaning, thrown at the HTTP edge (handlers, page tokens): a code of
 * the closed list (its status comes from there), the message a person reads, the fields the code
 * always carries, and any headers of the answer (Retry-After). The pipeline's error middleware
 * renders them (error-response.ts).
 */
export class HttpError<C extends ErrorCode = ErrorCode> extends Error {
  readonly expose = true;
  readonly statusCode: number;

  constructor(
    readonly code: C,
    message: string,
    readonly details: Pick<CarriedFields, CarriedBy<C>>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.statusCode = ERROR_CODES[code].status;
  }
}

/** Each field error also as the one sentence the original API answered: "<path> <message>". */
export const invalidInputDetails = (fields: FieldError[]) => ({
  errors: fields.map(({ path, message }) => `${path} ${message}`),
  fields,
});

export class BadRequestError extends HttpError<'INVALID_REQUEST'> {
  constructor(message: string, fields: FieldError[] = []) {
    super('INVALID_REQUEST', message, invalidInputDetails(fields));
  }
}

export class UserNotFoundError extends HttpError<'USER_NOT_FOUND'> {
  constructor() {
    super('USER_NOT_FOUND', 'User ID not found', {});
  }
}

/** A file route's answer for a path it does not serve. */
export class NotFoundError extends HttpError<'NOT_FOUND'> {
  constructor() {
    super('NOT_FOUND', 'Not found', {});
  }
}

export class PayloadTooLargeError extends HttpError<'PAYLOAD_TOO_LARGE'> {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `Request body exceeds ${limitBytes} bytes`, {});
  }
}

export class UnauthorizedError extends HttpError<'UNAUTHORIZED'> {
  constructor() {
    super('UNAUTHORIZED', 'Unauthorized', {});
  }
}

/** The same answer whether or not the user asked about exists. */
export class ForbiddenError extends HttpError<'FORBIDDEN'> {
  constructor() {
    super('FORBIDDEN', 'Forbidden', {});
  }
}
