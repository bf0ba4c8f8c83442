export type { components, operations, paths } from './api.generated';
export type {
  Answer,
  Command,
  CommandOf,
  CommandType,
  DataOf,
  ErrorCode,
  ErrorOf,
  QueryOf,
} from './api-types';
export {
  type CommandInput,
  type CommandOptions,
  createUsersClient,
  orThrow,
  type UsersClient,
  type UsersClientOptions,
} from './client';
export { DEFAULT_RETRY, type RetryOptions } from './retry';
export { UsersApiError } from './users-api-error';
