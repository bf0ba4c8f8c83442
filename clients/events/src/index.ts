/**
 * For subscribers of the users' integration events (docs/clients.md): their types, derived from
 * the published JSON Schemas; the schemas themselves (plain JSON); a reader that refuses anything
 * off the contract; the subscription's rule pattern; and fixtures for subscribers' tests.
 */
export {
  deliveredEventSchema,
  eventPatternOf,
  INTEGRATION_EVENT_TYPES,
  INTEGRATION_SCHEMA_VERSION,
  INTEGRATION_SOURCE,
  type IntegrationDetail,
  type IntegrationEvent,
  type IntegrationEventType,
  InvalidIntegrationEventError,
  integrationEventSchemas,
  isSubscribed,
  readDeliveredEvent,
  type Subscription,
} from '@users/shared/integration';
export type { DeliveredEvent } from './delivered-event';
export { type FixtureEnvelope, fixtures } from './fixtures';
