import { describeErrors, type Validator } from '../validation';
import { validateRecordedEvent as generated } from './recorded-event.validator.generated';
import { EVENT_TYPES } from './schemas';
import type { EventType, RecordedEvent } from './types';

/**
 * How an event is laid out in the event store table (and therefore in its stream's NEW_IMAGE).
 * Only this module reads or writes these attribute names; everyone else gets a RecordedEvent.
 */
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

/** An event of a type this reader does not know (a newer writer's): only its position is read. */
export type UnknownEvent = { unknown: true; userId: string; version: number; type: string };

export type DecodedEvent = RecordedEvent | UnknownEvent;

export const isUnknownEvent = (event: DecodedEvent): event is UnknownEvent => 'unknown' in event;

export class InvalidEventError extends Error {
  constructor(readonly errors: string[]) {
    super(`Invalid event: ${errors.join('; ')}`);
  }
}

const validateRecordedEvent = generated as Validator<RecordedEvent>;

const isEventType = (value: unknown): value is EventType =>
  EVENT_TYPES.includes(value as EventType);

export const encodeEvent = (event: RecordedEvent): EventItem => ({
  AggregateID: event.userId,
  Sequence: event.version,
  EventType: event.type,
  Payload: JSON.stringify(event.payload),
  EventId: event.eventId,
  OccurredAt: event.occurredAt,
  CorrelationId: event.correlationId,
  SchemaVersion: event.schemaVersion,
});

/** Whose event an item is and where it stands, for grouping and logs, without decoding it. */
export const eventPosition = (item: Record<string, unknown>) => ({
  userId: item.AggregateID as string,
  version: item.Sequence as number,
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
export const decodeEvent = (item: Record<string, unknown>): DecodedEvent => {
  if (!isEventType(item.EventType)) {
    return { unknown: true, ...eventPosition(item), type: String(item.EventType) };
  }
  const candidate = {
    userId: item.AggregateID,
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
