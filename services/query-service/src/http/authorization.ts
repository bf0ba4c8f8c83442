import type { Caller, UnvalidatedEvent } from '@users/shared/http';

export type QueryRoute = 'list' | 'feed' | 'detail' | 'history' | 'export' | 'erasures';

const OWN_DATA: QueryRoute[] = ['detail', 'history', 'export'];

/**
 * Who may read what: an administrator everything; anyone else only their own detail, history and export
 * (the list and the console's feed show every user, so they are for administrators only; an
 * erasure's receipt is for the data-protection officer's records, administrators only too). The
 * one rule of the read side, checked before anything is read, so a refusal says nothing about
 * whether the user exists.
 */
export const mayQuery = (caller: Caller, route: QueryRoute, userId?: string) =>
  caller.admin || (OWN_DATA.includes(route) && caller.subject === userId);

/** The rule for a route, on the request as sent (before validation). */
export const authorizeQuery = (route: QueryRoute) => (event: UnvalidatedEvent, caller: Caller) =>
  mayQuery(caller, route, event.queryStringParameters?.user_id);
