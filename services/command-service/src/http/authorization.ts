import type { Caller, UnvalidatedEvent } from '@users/shared/http';

/**
 * Who may send a command for a user: that user (the token's subject), or an administrator. The
 * one rule of the write side, checked before anything is read, so a refusal says nothing about
 * whether the user exists.
 */
export const maySendCommand = (caller: Caller, userId: string) =>
  caller.admin || caller.subject === userId;

/** The rule on a request as sent: a user_id that is not even text is left to validation (400). */
export const authorizeCommand = (event: UnvalidatedEvent, caller: Caller) => {
  const userId = (event.body as { user_id?: unknown } | undefined)?.user_id;
  return typeof userId !== 'string' || maySendCommand(caller, userId);
};
