import type { EventPayload, UserEvent } from '@users/shared';
import type { UserCommand } from './commands';
import { CommandRefused } from './errors';
import type { ActiveUser, DeletedUser, UserState } from './user';

/** Balances stay exact integers in IEEE doubles and DynamoDB numbers. */
export const MAX_BALANCE = Number.MAX_SAFE_INTEGER;

/** What a decision depends on besides the command and the state, given by the caller. */
export type DecisionContext = {
  now: Date;
  /** How long a requested erasure waits for a cancellation; 0 erases at once. */
  erasureGraceSeconds: number;
};

const requireExisting = (state: UserState): ActiveUser | DeletedUser => {
  if (state.status === 'absent') throw new CommandRefused('USER_NOT_FOUND');
  if (state.status === 'erased') throw new CommandRefused('USER_ERASED');
  return state;
};

const requireActive = (state: UserState): ActiveUser => {
  const user = requireExisting(state);
  if (user.pendingErasure) throw new CommandRefused('ERASURE_PENDING');
  if (user.status === 'deleted') throw new CommandRefused('USER_DELETED');
  return user;
};

const changedFields = (user: ActiveUser, update: EventPayload<'USER_UPDATED'>) =>
  Object.fromEntries(
    Object.entries(update).filter(([field, value]) => user[field as keyof ActiveUser] !== value),
  ) as EventPayload<'USER_UPDATED'>;

const erased: UserEvent = { type: 'USER_ERASED', payload: {} };

/** The business rules: which events a command produces from the current state, or why it is refused. */
export const decide = (
  command: UserCommand,
  state: UserState,
  context: DecisionContext,
): UserEvent[] => {
  switch (command.type) {
    case 'USER_CREATED':
      if (state.status === 'absent') return [{ type: 'USER_CREATED', payload: command.payload }];
      requireActive(state);
      throw new CommandRefused('USER_ALREADY_EXISTS');
    case 'USER_BALANCE': {
      const user = requireActive(state);
      const { delta } = command.payload;
      const balance = user.balance + delta;
      if (balance < 0)
        throw new CommandRefused('INSUFFICIENT_BALANCE', { balance: user.balance, delta });
      if (balance > MAX_BALANCE)
        throw new CommandRefused('BALANCE_LIMIT', { balance: user.balance, delta });
      return [{ type: 'USER_BALANCE', payload: { delta } }];
    }
    case 'USER_UPDATED': {
      const changes = changedFields(requireActive(state), command.payload);
      return Object.keys(changes).length === 0 ? [] : [{ type: 'USER_UPDATED', payload: changes }];
    }
    case 'USER_DELETED':
      requireActive(state);
      return [{ type: 'USER_DELETED', payload: {} }];
    case 'USER_ERASED':
      // A deleted user's events still hold personal data: they may be erased too, once; an
      // erasure pending its grace period may be brought forward.
      requireExisting(state);
      return [erased];
    case 'USER_ERASURE_REQUESTED': {
      if (requireExisting(state).pendingErasure) throw new CommandRefused('ERASURE_PENDING');
      if (context.erasureGraceSeconds === 0) return [erased];
      const eraseAfter = new Date(context.now.getTime() + context.erasureGraceSeconds * 1000);
      return [
        { type: 'USER_ERASURE_REQUESTED', payload: { erase_after: eraseAfter.toISOString() } },
      ];
    }
    case 'USER_ERASURE_CANCELLED': {
      const pending = requireExisting(state).pendingErasure;
      if (!pending) throw new CommandRefused('ERASURE_NOT_PENDING');
      return [{ type: 'USER_ERASURE_CANCELLED', payload: { erase_after: pending.eraseAfter } }];
    }
    case 'CARRY_OUT_ERASURE': {
      // Fired twice, or late: the erasure is done already, and done once.
      if (state.status === 'erased') return [];
      // Not due yet (a schedule fires within its minute): tried again later. Checked first: the
      // schedule is made before its request is stored, so an early firing may find none yet.
      if (context.now < new Date(command.payload.erase_after)) {
        throw new CommandRefused('ERASURE_PENDING');
      }
      const pending = requireExisting(state).pendingErasure;
      // Cancelled, or cancelled and asked again (a later erase_after): not this request's to do.
      if (pending?.eraseAfter !== command.payload.erase_after) {
        throw new CommandRefused('ERASURE_NOT_PENDING');
      }
      return [erased];
    }
  }
};
