import type { EventPayload, UserEvent } from '@users/shared';
import type { UserCommand } from './commands';
import { CommandRefused } from './errors';
import type { ActiveUser, UserState } from './user';

/** Balances stay exact integers in IEEE doubles and DynamoDB numbers. */
export const MAX_BALANCE = Number.MAX_SAFE_INTEGER;

const requireActive = (state: UserState): ActiveUser => {
  if (state.status === 'absent') throw new CommandRefused('USER_NOT_FOUND');
  if (state.status === 'deleted') throw new CommandRefused('USER_DELETED');
  if (state.status === 'erased') throw new CommandRefused('USER_ERASED');
  return state;
};

const changedFields = (user: ActiveUser, update: UserCommand['payload']) =>
  Object.fromEntries(
    Object.entries(update).filter(([field, value]) => user[field as keyof ActiveUser] !== value),
  ) as EventPayload<'USER_UPDATED'>;

/** The business rules: which events a command produces from the current state, or why it is refused. */
export const decide = (command: UserCommand, state: UserState): UserEvent[] => {
  switch (command.type) {
    case 'USER_CREATED':
      if (state.status === 'erased') throw new CommandRefused('USER_ERASED');
      if (state.status === 'deleted') throw new CommandRefused('USER_DELETED');
      if (state.status === 'active') throw new CommandRefused('USER_ALREADY_EXISTS');
      return [{ type: 'USER_CREATED', payload: command.payload }];
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
      // A deleted user's events still hold personal data: they may be erased too, once.
      if (state.status === 'absent') throw new CommandRefused('USER_NOT_FOUND');
      if (state.status === 'erased') throw new CommandRefused('USER_ERASED');
      return [{ type: 'USER_ERASED', payload: {} }];
  }
};
