import type { FromSchema } from 'json-schema-to-ts';
import type { eventMetadataSchema, eventPayloadSchemas, PERSONAL_FIELDS } from './schemas';

type PayloadSchemas = typeof eventPayloadSchemas;

export type EventType = keyof PayloadSchemas;

export type EventPayload<T extends EventType> = FromSchema<PayloadSchemas[T]>;

/** A domain event before it is stored: what `decide` returns and `evolve` consumes. */
export type UserEvent = { [T in EventType]: { type: T; payload: EventPayload<T> } }[EventType];

export type EventMetadata = FromSchema<typeof eventMetadataSchema>;

/** An event as it sits in the store: the domain event plus its position and metadata. */
export type RecordedEvent = UserEvent & EventMetadata;

type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** A personal field reads as null once its user is erased: the key that opened it is gone. */
type Erasable<P> = { [K in keyof P]: K extends PersonalField ? P[K] | null : P[K] };

/** An event as a reader decodes it: personal fields null where the user was erased. */
export type ReadEvent = {
  [T in EventType]: { type: T; payload: Erasable<EventPayload<T>> } & EventMetadata;
}[EventType];
