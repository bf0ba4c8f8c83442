import type { Caller } from '@users/shared/http';

/**
 * Who may send a command for a user: that user (the token's subject), or an administrator. The
 * one rule of the write side, checked before anything is read, so a refusal says nothing about
 * whether the user exists.
 */
export const maySendCommand = (caller: Caller, userId: string) =>
  caller.admin || caller.subject === userId;
