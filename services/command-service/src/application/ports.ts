import type { EventType, RecordedEvent } from '@users/shared';
import type { UserState } from '../domain/user';

/** What the client is told about a command; replayed verbatim for an idempotent retry. */
export type CommandResult = {
  aggregateId: string;
  eventType: EventType;
  /** The user's version after the command: the stored event's number, or the current one. */
  sequence: number;
  stored: boolean;
  eventId?: string;
  occurredAt?: string;
};

export type StreamHead = { version: number; state: UserState };

export type IdempotencyRecord = {
  key: string;
  requestHash: string;
  result: CommandResult;
  /** Epoch seconds. */
  recordedAt: number;
  /** Epoch seconds; past it the key is free again, and DynamoDB TTL removes the record later. */
  expiresAt: number;
};

export type AppendRequest = {
  /** Events numbered from head.version + 1, each with the state it leaves the user in. */
  events: { event: RecordedEvent; stateAfter: UserState }[];
  idempotency?: IdempotencyRecord;
};

/** Thrown by `appendEvents` when another writer took one of the versions first. */
export class VersionTakenError extends Error {}

/** Thrown by `appendEvents` when a concurrent request with the same idempotency key won. */
export class IdempotencyKeyTakenError extends Error {}

export interface EventStore {
  readHead(aggregateId: string): Promise<StreamHead>;
  /** All or nothing: every event and the idempotency record are stored together, or none is. */
  appendEvents(request: AppendRequest): Promise<void>;
  readIdempotency(key: string, now: Date): Promise<IdempotencyRecord | undefined>;
}
