import type { UserEvent } from '@users/shared';

export type ActiveUser = { status: 'active'; name: string; email: string; balance: number };

/** The write model: only what `decide` needs to enforce the rules. */
export type UserState =
  | { status: 'absent' }
  | ActiveUser
  | { status: 'deleted' }
  | { status: 'erased' };

export const initialState: UserState = { status: 'absent' };

export const evolve = (state: UserState, event: UserEvent): UserState => {
  switch (event.type) {
    case 'USER_CREATED':
      return { status: 'active', name: event.payload.name, email: event.payload.email, balance: 0 };
    case 'USER_BALANCE':
      return state.status === 'active'
        ? { ...state, balance: state.balance + event.payload.delta }
        : state;
    case 'USER_UPDATED':
      return state.status === 'active' ? { ...state, ...event.payload } : state;
    case 'USER_DELETED':
      return { status: 'deleted' };
    case 'USER_ERASED':
      return { status: 'erased' };
  }
};

export const fold = (events: readonly UserEvent[], state: UserState = initialState): UserState =>
  events.reduce(evolve, state);
