import type { ReadEvent } from '../events/types';
import { INTEGRATION_SCHEMA_VERSION } from './schemas';
import type { IntegrationEvent } from './types';

/**
 * The public face of a stored event: which integration event it is, with the envelope every
 * subscriber relies on, and no personal data. `balanceAfter` is the user's balance after the
 * event (from the writer's snapshot), for `user.balance-changed`.
 */
export const toIntegrationEvent = (event: ReadEvent, balanceAfter: number): IntegrationEvent => {
  const envelope = {
    event_id: event.eventId,
    user_id: event.userId,
    version: event.version,
    occurred_at: event.occurredAt,
    correlation_id: event.correlationId,
    schema_version: INTEGRATION_SCHEMA_VERSION,
  } as const;
  switch (event.type) {
    case 'USER_CREATED':
      return { type: 'user.registered', detail: { ...envelope, data: {} } };
    case 'USER_UPDATED':
      return {
        type: 'user.profile-changed',
        detail: {
          ...envelope,
          data: { changed: Object.keys(event.payload).sort() as ('name' | 'email')[] },
        },
      };
    case 'USER_BALANCE':
      return {
        type: 'user.balance-changed',
        detail: { ...envelope, data: { delta: event.payload.delta, balance: balanceAfter } },
      };
    case 'USER_DELETED':
      return { type: 'user.deleted', detail: { ...envelope, data: {} } };
    case 'USER_ERASED':
      return { type: 'user.erased', detail: { ...envelope, data: {} } };
    case 'USER_ERASURE_REQUESTED':
      return {
        type: 'user.erasure-requested',
        detail: { ...envelope, data: { erase_after: event.payload.erase_after } },
      };
    case 'USER_ERASURE_CANCELLED':
      return {
        type: 'user.erasure-cancelled',
        detail: { ...envelope, data: { erase_after: event.payload.erase_after } },
      };
  }
};
