import type { EventPayload, UserEvent } from '@users/shared';
import {
  BalanceLimitError,
  InsufficientBalanceError,
  UserAlreadyExistsError,
  UserDeletedError,
  UserNotFoundError,
} from './errors';
import type { ActiveUser, UserState } from './user';

/** Balances stay exact integers in IEEE doubles and DynamoDB numbers. */
export const MAX_BALANCE = Number.MAX_SAFE_INTEGER;

/** A command has the same shape as the event it asks for: the API's `event_type` + `payload`. */
export type UserCommand = UserEvent;

const requireActive = (state: UserState): ActiveUser => {
  if (state.status === 'absent') throw new UserNotFoundError();
  if (state.status === 'deleted') throw new UserDeletedError();
  return state;
};

const changedFields = (user: ActiveUser, update: EventPayload<'USER_UPDATED'>) =>
  Object.fromEntries(
    Object.entries(update).filter(([field, value]) => user[field as keyof ActiveUser] !== value),
  ) as EventPayload<'USER_UPDATED'>;

/** The business rules: which events a command produces from the current state, or why it is refused. */
export const decide = (command: UserCommand, state: UserState): UserEvent[] => {
  switch (command.type) {
    case 'USER_CREATED':
      if (state.status === 'deleted') throw new UserDeletedError();
      if (state.status === 'active') throw new UserAlreadyExistsError();
      return [command];
    case 'USER_BALANCE': {
      const user = requireActive(state);
      const balance = user.balance + command.payload.delta;
      if (balance < 0) throw new InsufficientBalanceError(user.balance, command.payload.delta);
      if (balance > MAX_BALANCE) throw new BalanceLimitError(user.balance, command.payload.delta);
      return [command];
    }
    case 'USER_UPDATED': {
      const changes = changedFields(requireActive(state), command.payload);
      return Object.keys(changes).length === 0 ? [] : [{ type: 'USER_UPDATED', payload: changes }];
    }
    case 'USER_DELETED':
      requireActive(state);
      return [command];
  }
};
