import type { paths } from './api.generated';
import type { UsersApiError } from './users-api-error';

/**
 * Types read off the generated `paths` (api.generated.ts, from the OpenAPI document): by path,
 * method and status, so that a new route, status or error schema in the document reaches the
 * client without a line of it written by hand.
 */

type Route<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];
type ResponsesOf<O> = O extends { responses: infer R } ? R : never;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;
type SuccessStatus = 200 | 201 | 202 | 204;
type ErrorStatusOf<O> = Exclude<Extract<keyof ResponsesOf<O>, number>, SuccessStatus>;

/** The body of an operation's 200. */
export type DataOf<O> = JsonOf<ResponsesOf<O>[200 & keyof ResponsesOf<O>]>;

/**
 * Every error an operation may answer: one `UsersApiError` per status and per body schema of that
 * status, so that narrowing on `code` (or `status`) narrows `body` too.
 */
export type ErrorOf<O> = O extends unknown
  ? {
      [S in ErrorStatusOf<O>]: JsonOf<ResponsesOf<O>[S]> extends infer B
        ? B extends unknown
          ? UsersApiError<S, B>
          : never
        : never;
    }[ErrorStatusOf<O>]
  : never;

/** What a call answers: the documented data of its 200, or a documented error. */
export type Answer<O> =
  | { data: DataOf<O>; error?: undefined; response: Response }
  | { data?: undefined; error: ErrorOf<O>; response: Response };

export type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type RequestBodyOf<O> = O extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : never;

export type SendCommand = Route<'/command', 'post'>;
export type GetDetail = Route<'/detail', 'get'>;
export type GetHistory = Route<'/history', 'get'>;
export type ListUsers = Route<'/list', 'get'>;
export type GetStats = Route<'/stats', 'get'>;

/** A command as POST /command takes it: one per `event_type`. */
export type Command = RequestBodyOf<SendCommand>;
export type CommandType = Command['event_type'];
export type CommandOf<T extends CommandType> = Extract<Command, { event_type: T }>;

type AnyRoute = {
  [P in keyof paths]: { [M in keyof paths[P]]: paths[P][M] }[keyof paths[P]];
}[keyof paths];

/** Every error code the document names, on any route. */
export type ErrorCode = Exclude<ErrorOf<AnyRoute>['code'], undefined>;
