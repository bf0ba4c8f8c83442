import type { FromSchema } from 'json-schema-to-ts';
import type { eventMetadataSchema, eventPayloadSchemas } from './schemas';

type PayloadSchemas = typeof eventPayloadSchemas;

export type EventType = keyof PayloadSchemas;

export type EventPayload<T extends EventType> = FromSchema<PayloadSchemas[T]>;

/** A domain event before it is stored: what `decide` returns and `evolve` consumes. */
export type UserEvent = { [T in EventType]: { type: T; payload: EventPayload<T> } }[EventType];

export type EventMetadata = FromSchema<typeof eventMetadataSchema>;

/** An event as it sits in the store: the domain event plus its position and metadata. */
export type RecordedEvent = UserEvent & EventMetadata;
