import type { Caller } from '@users/shared/http';

export type QueryRoute = 'list' | 'detail' | 'history';

/**
 * Who may read what: an administrator everything; anyone else only their own detail and history
 * (the list shows every user, so it is for administrators only). The one rule of the read side,
 * checked before anything is read, so a refusal says nothing about whether the user exists.
 */
export const mayQuery = (caller: Caller, route: QueryRoute, userId?: string) =>
  caller.admin || (route !== 'list' && caller.subject === userId);
