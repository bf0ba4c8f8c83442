import { describeErrors, type Validator } from '../validation';
import { validateRecordedEvent as generated } from './recorded-event.validator.generated';
import { EVENT_TYPES } from './schemas';
import type { EventType, RecordedEvent } from './types';

/** How an event is laid out in the event store table (and therefore in its stream's NEW_IMAGE). */
export type EventItem = {
  AggregateID: string;
  Sequence: number;
  EventType: string;
  /** JSON text, as in the original app: exact numbers, and no empty-map quirks in stream images. */
  Payload: string;
  EventId: string;
  OccurredAt: string;
  CorrelationId: string;
  SchemaVersion: number;
};

export class UnknownEventTypeError extends Error {
  constructor(readonly eventType: unknown) {
    super(`Unknown event type ${JSON.stringify(eventType)}`);
  }
}

export class InvalidEventError extends Error {
  constructor(readonly errors: string[]) {
    super(`Invalid event: ${errors.join('; ')}`);
  }
}

const validateRecordedEvent = generated as Validator<RecordedEvent>;

export const isEventType = (value: unknown): value is EventType =>
  EVENT_TYPES.includes(value as EventType);

export const toEventItem = (event: RecordedEvent): EventItem => ({
  AggregateID: event.aggregateId,
  Sequence: event.version,
  EventType: event.type,
  Payload: JSON.stringify(event.payload),
  EventId: event.eventId,
  OccurredAt: event.occurredAt,
  CorrelationId: event.correlationId,
  SchemaVersion: event.schemaVersion,
});

const parsePayload = (payload: unknown): unknown => {
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload);
  } catch {
    throw new InvalidEventError(['/payload is not valid JSON']);
  }
};

/**
 * Reads an event item coming from the store or its stream. The reader trusts nothing: a record
 * that does not match the contract is rejected here rather than corrupting a read model.
 */
export const fromEventItem = (item: Record<string, unknown>): RecordedEvent => {
  if (!isEventType(item.EventType)) throw new UnknownEventTypeError(item.EventType);
  const candidate = {
    aggregateId: item.AggregateID,
    version: item.Sequence,
    type: item.EventType,
    payload: parsePayload(item.Payload),
    eventId: item.EventId,
    occurredAt: item.OccurredAt,
    correlationId: item.CorrelationId,
    schemaVersion: item.SchemaVersion,
  };
  if (!validateRecordedEvent(candidate)) {
    throw new InvalidEventError(describeErrors(validateRecordedEvent.errors));
  }
  return candidate;
};
