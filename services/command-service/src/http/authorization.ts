import type { Caller, UnvalidatedEvent } from '@users/shared/http';

/**
 * An erasure at once skips the grace period in which a mistaken request can still be called off:
 * administrators only. A user asks with USER_ERASURE_REQUESTED.
 */
const ADMINISTRATORS_ONLY = new Set(['USER_ERASED']);

/**
 * Who may send a command for a user: that user (the token's subject), or an administrator; an
 * immediate erasure, only an administrator. The one rule of the write side, checked before
 * anything is read, so a refusal says nothing about whether the user exists.
 */
export const maySendCommand = (caller: Caller, userId: string, eventType?: string) =>
  caller.admin ||
  (caller.subject === userId && !(eventType !== undefined && ADMINISTRATORS_ONLY.has(eventType)));

/** The rule on a request as sent: a user_id that is not even text is left to validation (400). */
export const authorizeCommand = (event: UnvalidatedEvent, caller: Caller) => {
  const body = event.body as { user_id?: unknown; event_type?: unknown } | undefined;
  const userId = body?.user_id;
  const eventType = typeof body?.event_type === 'string' ? body.event_type : undefined;
  return typeof userId !== 'string' || maySendCommand(caller, userId, eventType);
};
