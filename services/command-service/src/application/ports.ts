import type { EventType, RecordedEvent, SealedSnapshotFields } from '@users/shared';
import type { RuleViolation } from '../domain/errors';
import type { UserState } from '../domain/user';
import type { ScheduledErasure } from './erasure-schedule';

/** What a stored or unchanged command tells the client; replayed verbatim for a retry. */
export type CommandResult = {
  userId: string;
  eventType: EventType;
  /** The user's version after the command: the stored event's, or the current one. */
  version: number;
  eventId?: string;
  occurredAt?: string;
};

export type RefusalCode = RuleViolation | 'VERSION_CONFLICT' | 'IDEMPOTENCY_KEY_REUSED';
export type Refusal = { code: RefusalCode; details: Record<string, number> };

/** How a command ended, as decided once; an Idempotency-Key records it for 24 hours. */
export type CommandOutcome =
  | { kind: 'stored'; result: CommandResult }
  | { kind: 'unchanged'; result: CommandResult }
  | { kind: 'refused'; refusal: Refusal };

export type StreamHead = {
  version: number;
  state: UserState;
  /**
   * The personal fields of the state, left sealed when the command needs none of them (the
   * state then holds them as opaque text that decide never reads): carried forward unopened.
   */
  carried?: SealedSnapshotFields;
};

/** What a command needs of the head: whether to open the user's personal fields (a data key). */
export type HeadNeeds = { personalData: boolean };

export type IdempotencyRecord = {
  /** The caller's key, scoped to that caller: one caller's keys never meet another's. */
  key: string;
  requestHash: string;
  outcome: CommandOutcome;
  /** Epoch seconds. */
  recordedAt: number;
  /** Epoch seconds; past it the key is free again, and DynamoDB TTL removes the record later. */
  expiresAt: number;
};

export type AppendRequest = {
  /** Events numbered from head.version + 1, each with the state it leaves the user in. */
  events: { event: RecordedEvent; stateAfter: UserState }[];
  idempotency?: IdempotencyRecord;
  /** The head's sealed personal fields, from readHead: what the events left unchanged. */
  carried?: SealedSnapshotFields;
  /**
   * Epoch ms by which an answer is due (the function's time, less a margin): a write whose
   * outcome was lost is looked for until then before it is called failed.
   */
  deadline?: number;
};

/**
 * Longest a write takes (3 attempts of 1.5 s, with the SDK's pauses) plus a lookup of its
 * outcome (FUNCTION_CLIENT_OPTIONS): a store starts no write with less time than this left.
 */
export const WRITE_AND_LOOKUP_MS = 6_000;

/**
 * Thrown by `appendEvents` when too little of the function's time is left to write and confirm
 * the write (WRITE_AND_LOOKUP_MS): nothing was written, so the caller may try again (503).
 */
export class TooLateToWrite extends Error {
  override readonly name = 'TooLateToWrite';
}

/**
 * Thrown by `appendEvents` when a write whose answer was lost could not be looked for before the
 * answer was due: it may or may not be stored. Never answered "try again" (500, no Retry-After).
 */
export class WriteOutcomeUnknown extends Error {
  override readonly name = 'WriteOutcomeUnknown';

  constructor(cause: unknown) {
    super('the write may or may not have landed', { cause });
  }
}

/** Thrown by `appendEvents` when another writer took one of the versions first. */
export class VersionTakenError extends Error {}

/** Thrown when another request recorded an outcome under the same idempotency key first. */
export class IdempotencyKeyTakenError extends Error {}

export interface EventStore {
  readHead(userId: string, needs: HeadNeeds): Promise<StreamHead>;
  /**
   * All or nothing: every event and the idempotency record are stored together, or none is.
   * Stored once however often the SDK retries a request whose response was lost.
   */
  appendEvents(request: AppendRequest): Promise<void>;
  /** Records an outcome that stored nothing; throws IdempotencyKeyTakenError if the key is in use. */
  recordOutcome(record: IdempotencyRecord): Promise<void>;
  readIdempotency(key: string, now: Date): Promise<IdempotencyRecord | undefined>;
}

/**
 * The erasures waiting out their grace period (user and due time), kept beside the events in the
 * transactions that make them pending or not: exactly the pending requests.
 */
export interface PendingErasures {
  /** Every pending erasure, a page at a time; reading stops when the caller stops asking. */
  pages(): AsyncIterable<ScheduledErasure[]>;
}
