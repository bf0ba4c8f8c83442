import type { FromSchema } from 'json-schema-to-ts';
import type { IntegrationEventType, integrationEventSchemas } from './schemas';

/** An integration event's detail, per type (derived from the JSON Schemas). */
export type IntegrationDetail<T extends IntegrationEventType> = FromSchema<
  (typeof integrationEventSchemas)[T]
>;

/** An integration event as published: its type (the bus's `detail-type`) and its detail. */
export type IntegrationEvent = {
  [T in IntegrationEventType]: { type: T; detail: IntegrationDetail<T> };
}[IntegrationEventType];
