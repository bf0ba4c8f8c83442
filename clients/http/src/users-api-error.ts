/** `code` as the document types it for a body: absent where the body may come without one. */
type CodeOf<B> = B extends { code: infer C }
  ? C
  : B extends { code?: infer C }
    ? C | undefined
    : undefined;

const fieldOf = (body: unknown, name: string) =>
  typeof body === 'object' && body !== null && name in body
    ? (body as Record<string, unknown>)[name]
    : undefined;

/**
 * An error answer of the API: its `status`, its `body` as the document describes that status,
 * and the body's `code`. Narrowing on `code` narrows `body` (`INSUFFICIENT_BALANCE` carries
 * `balance` and `delta`); a code the document does not list does not compile.
 */
export class UsersApiError<S extends number = number, B = unknown> extends Error {
  override readonly name = 'UsersApiError';
  readonly code: CodeOf<B>;

  constructor(
    readonly status: S,
    readonly body: B,
    readonly response: Response,
  ) {
    const code = fieldOf(body, 'code');
    const message = fieldOf(body, 'message');
    super(
      `The users API answered ${status}${typeof code === 'string' ? ` ${code}` : ''}${
        typeof message === 'string' ? `: ${message}` : ''
      }`,
    );
    this.code = (typeof code === 'string' ? code : undefined) as CodeOf<B>;
  }
}
