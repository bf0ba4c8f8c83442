import type { UserEvent } from '@users/shared';

/** An erasure asked for and not yet carried out: due at `eraseAfter` (ISO 8601) unless cancelled. */
export type PendingErasure = { eraseAfter: string };

export type ActiveUser = {
  status: 'active';
  name: string;
  email: string;
  balance: number;
  pendingErasure?: PendingErasure;
};

export type DeletedUser = { status: 'deleted'; pendingErasure?: PendingErasure };

/** The write model: only what `decide` needs to enforce the rules. */
export type UserState = { status: 'absent' } | ActiveUser | DeletedUser | { status: 'erased' };

export const initialState: UserState = { status: 'absent' };

const withoutPendingErasure = <S extends ActiveUser | DeletedUser>({
  pendingErasure: _,
  ...state
}: S) => state as S;

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
    case 'USER_ERASURE_REQUESTED':
      return state.status === 'active' || state.status === 'deleted'
        ? { ...state, pendingErasure: { eraseAfter: event.payload.erase_after } }
        : state;
    case 'USER_ERASURE_CANCELLED':
      return state.status === 'active' || state.status === 'deleted'
        ? withoutPendingErasure(state)
        : state;
  }
};

export const fold = (events: readonly UserEvent[], state: UserState = initialState): UserState =>
  events.reduce(evolve, state);
