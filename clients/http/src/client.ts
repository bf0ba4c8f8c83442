import createClient from 'openapi-fetch';
import type { paths } from './api.generated';
import type {
  Answer,
  Command,
  CommandOf,
  CommandType,
  DataOf,
  GetDetail,
  GetHistory,
  GetStats,
  ListUsers,
  QueryOf,
  SendCommand,
} from './api-types';
import { DEFAULT_RETRY, type RetryOptions, retrying, type Send } from './retry';
import { UsersApiError } from './users-api-error';

export type UsersClientOptions = {
  /** Where the API is, e.g. http://localhost:3000 (npm start) or a stage's URL. */
  baseUrl: string;
  /** A JWT, or a function that gives one (asked again for every attempt: it may refresh it). */
  token?: string | (() => string | Promise<string>);
  fetch?: Send;
  retry?: RetryOptions;
};

export type CommandOptions = {
  /**
   * Sent as Idempotency-Key; a fresh one (crypto.randomUUID) when not given. The same key is sent
   * on every retry of the call; give your own to repeat a call safely across calls or processes.
   */
  idempotencyKey?: string;
  /** Sent as X-Correlation-Id: recorded on the event and carried by its integration event. */
  correlationId?: string;
};

/** A command of one type, as its wrapper takes it: the command without its `event_type`. */
export type CommandInput<T extends CommandType> = Omit<CommandOf<T>, 'event_type'>;

const authorized =
  (send: Send, token: UsersClientOptions['token']): Send =>
  async (request) => {
    if (token !== undefined) {
      const value = typeof token === 'string' ? token : await token();
      request.headers.set('Authorization', `Bearer ${value}`);
    }
    return send(request);
  };

/**
 * The answer as the document types it. openapi-fetch hands the body over untyped for an error;
 * it is what the document says that status carries (the contract tests hold the API to it).
 */
const answerOf = <O>(answer: { data?: unknown; error?: unknown; response: Response }) =>
  (answer.response.ok
    ? { data: answer.data as DataOf<O>, response: answer.response }
    : {
        error: new UsersApiError(answer.response.status, answer.error, answer.response),
        response: answer.response,
      }) as Answer<O>;

/**
 * A client of the users API (docs/clients.md): one method per operation, typed from the OpenAPI
 * document; every answer is `{ data }` or `{ error }` (a `UsersApiError`; `orThrow` throws it).
 */
export const createUsersClient = ({
  baseUrl,
  token,
  fetch = (request) => globalThis.fetch(request),
  retry,
}: UsersClientOptions) => {
  const api = createClient<paths>({
    baseUrl,
    fetch: retrying(authorized(fetch, token), { ...DEFAULT_RETRY, ...retry }),
  });

  const sendCommand = async (
    command: Command,
    { idempotencyKey = globalThis.crypto.randomUUID(), correlationId }: CommandOptions = {},
  ) =>
    answerOf<SendCommand>(
      await api.POST('/command', {
        body: command,
        headers: {
          'Idempotency-Key': idempotencyKey,
          ...(correlationId !== undefined && { 'X-Correlation-Id': correlationId }),
        },
      }),
    );

  const commandOf =
    <T extends CommandType>(eventType: T) =>
    (command: CommandInput<T>, options?: CommandOptions) =>
      // The input is CommandOf<T> without its event_type: put back, it is CommandOf<T> again.
      sendCommand({ ...command, event_type: eventType } as CommandOf<T>, options);

  const getDetail = async (query: QueryOf<GetDetail>) =>
    answerOf<GetDetail>(await api.GET('/detail', { params: { query } }));

  return {
    sendCommand,
    createUser: commandOf('USER_CREATED'),
    changeBalance: commandOf('USER_BALANCE'),
    updateUser: commandOf('USER_UPDATED'),
    deleteUser: commandOf('USER_DELETED'),
    eraseUser: commandOf('USER_ERASED'),
    requestErasure: commandOf('USER_ERASURE_REQUESTED'),
    cancelErasure: commandOf('USER_ERASURE_CANCELLED'),
    getDetail,
    /**
     * The user as of a command's answer or later (read your writes): the read waits, then answers
     * 409 VERSION_NOT_REACHED with a Retry-After, which the client honours within its bounds.
     */
    readYourWrite: ({
      aggregate_id,
      sequence,
    }: Pick<DataOf<SendCommand>, 'aggregate_id' | 'sequence'>) =>
      getDetail({ user_id: aggregate_id, min_version: sequence }),
    getHistory: async (query: QueryOf<GetHistory>) =>
      answerOf<GetHistory>(await api.GET('/history', { params: { query } })),
    listUsers: async (query: QueryOf<ListUsers> = {}) =>
      answerOf<ListUsers>(await api.GET('/list', { params: { query } })),
    getStats: async (query: QueryOf<GetStats>) =>
      answerOf<GetStats>(await api.GET('/stats', { params: { query } })),
    /** openapi-fetch itself, for a route without a method here (same token, same retries). */
    api,
  };
};

export type UsersClient = ReturnType<typeof createUsersClient>;

/** The data of an answer, or its error thrown. */
export const orThrow = async <O>(answer: Promise<Answer<O>>): Promise<DataOf<O>> => {
  const { data, error } = await answer;
  if (error) throw error;
  return data as DataOf<O>;
};
