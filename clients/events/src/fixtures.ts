import type { ReadEvent } from '@users/shared';
import {
  INTEGRATION_SOURCE,
  type IntegrationEvent,
  type IntegrationEventType,
  toIntegrationEvent,
} from '@users/shared/integration';
import { SCHEMA_VERSION } from '@users/shared/schemas';
import type { DeliveredEvent } from './delivered-event';

/** What a fixture may be told; anything not given gets a value of its own. */
export type FixtureEnvelope = {
  /** Fresh for every fixture unless given: subscribers deduplicate on it. */
  event_id?: string;
  user_id?: string;
  version?: number;
  /** Now, unless given. */
  occurred_at?: string;
  correlation_id?: string;
};

type StoredBody = Pick<ReadEvent, 'type' | 'payload'>;

/**
 * The event as the users service publishes it, made by its own mapping (toIntegrationEvent) from
 * a stored event: valid by construction, and it stays so as the mapping changes.
 */
const published = (
  body: StoredBody,
  {
    event_id = globalThis.crypto.randomUUID(),
    user_id = 'user-001',
    version = 1,
    occurred_at = new Date().toISOString(),
    correlation_id = 'fixture',
  }: FixtureEnvelope,
  balanceAfter = 0,
): IntegrationEvent =>
  toIntegrationEvent(
    {
      ...body,
      eventId: event_id,
      userId: user_id,
      version,
      occurredAt: occurred_at,
      correlationId: correlation_id,
      schemaVersion: SCHEMA_VERSION,
    } as ReadEvent,
    balanceAfter,
  );

/** The integration event as EventBridge delivers it, as a subscriber's function receives it. */
const delivered = <T extends IntegrationEventType>(type: T, event: IntegrationEvent) => {
  if (event.type !== type) throw new Error(`${event.type} is not a ${type}`);
  // The detail is a T's: checked just above, which TypeScript cannot follow through the union.
  const envelope: Record<string, unknown> = {
    version: '0',
    id: globalThis.crypto.randomUUID(),
    'detail-type': type,
    source: INTEGRATION_SOURCE,
    account: '000000000000',
    time: event.detail.occurred_at,
    region: 'us-east-1',
    resources: [],
    detail: event.detail,
  };
  return envelope as DeliveredEvent<T>;
};

/** `erase_after`: when the erasure is due (in a cancellation: that of the request called off). */
type ErasureFixture = FixtureEnvelope & { erase_after?: string };

/** A grace period's end, unless a test says when. */
const inThirtyDays = () => new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();

// Personal data is never published: the stored event's values below never reach a fixture.
const PLACEHOLDER = { name: 'Fixture', email: 'fixture@example.com' } as const;

/**
 * Integration events as a subscriber's tests need them, one builder per type, each as
 * EventBridge delivers it: `fixtures.userBalanceChanged({ delta: -5, balance: 20 })`.
 */
export const fixtures = {
  userRegistered: (envelope: FixtureEnvelope = {}) =>
    delivered(
      'user.registered',
      published({ type: 'USER_CREATED', payload: PLACEHOLDER }, envelope),
    ),
  userProfileChanged: ({
    changed = ['email'],
    ...envelope
  }: FixtureEnvelope & { changed?: readonly ('name' | 'email')[] } = {}) =>
    delivered(
      'user.profile-changed',
      published(
        {
          type: 'USER_UPDATED',
          payload: Object.fromEntries(changed.map((field) => [field, PLACEHOLDER[field]])),
        },
        envelope,
      ),
    ),
  userBalanceChanged: ({
    delta = 25,
    balance = Math.max(delta, 0),
    ...envelope
  }: FixtureEnvelope & { delta?: number; balance?: number } = {}) =>
    delivered(
      'user.balance-changed',
      published({ type: 'USER_BALANCE', payload: { delta } }, envelope, balance),
    ),
  userDeleted: (envelope: FixtureEnvelope = {}) =>
    delivered('user.deleted', published({ type: 'USER_DELETED', payload: {} }, envelope)),
  userErased: (envelope: FixtureEnvelope = {}) =>
    delivered('user.erased', published({ type: 'USER_ERASED', payload: {} }, envelope)),
  userErasureRequested: ({ erase_after = inThirtyDays(), ...envelope }: ErasureFixture = {}) =>
    delivered(
      'user.erasure-requested',
      published({ type: 'USER_ERASURE_REQUESTED', payload: { erase_after } }, envelope),
    ),
  userErasureCancelled: ({ erase_after = inThirtyDays(), ...envelope }: ErasureFixture = {}) =>
    delivered(
      'user.erasure-cancelled',
      published({ type: 'USER_ERASURE_CANCELLED', payload: { erase_after } }, envelope),
    ),
};
