/**
 * Errors that carry their HTTP meaning, thrown at the HTTP edge (handlers, page tokens); the
 * pipeline's error middlewares render them as `{"message", "errors"?, ...details}` responses.
 */
export class HttpError extends Error {
  readonly expose = true;

  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: { errors?: string[] } & Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, errors: string[] = []) {
    super(400, message, { errors });
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, message);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, `Request body exceeds ${limitBytes} bytes`);
  }
}

export class UnauthorizedError extends HttpError {
  constructor() {
    super(401, 'Unauthorized');
  }
}

/** The same answer whether or not the user asked about exists. */
export class ForbiddenError extends HttpError {
  constructor() {
    super(403, 'Forbidden');
  }
}
