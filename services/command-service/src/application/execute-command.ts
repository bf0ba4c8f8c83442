import { createHash } from 'node:crypto';
import { type RecordedEvent, SCHEMA_VERSION } from '@users/shared';
import { ConflictError, UnprocessableError } from '@users/shared/http';
import { decide, type UserCommand } from '../domain/decide';
import { evolve } from '../domain/user';
import {
  type CommandResult,
  type EventStore,
  IdempotencyKeyTakenError,
  type StreamHead,
  VersionTakenError,
} from './ports';

export type CommandRequest = {
  userId: string;
  command: UserCommand;
  expectedVersion?: number;
  idempotencyKey?: string;
  correlationId: string;
};

export type CommandDependencies = {
  store: EventStore;
  now: () => Date;
  newEventId: () => string;
  /** Waits between attempts after losing a race; injected so tests and benchmarks stay fast. */
  pause?: (attempt: number) => Promise<void>;
  maxAttempts?: number;
};

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const DEFAULT_MAX_ATTEMPTS = 10;

export class VersionConflictError extends ConflictError {
  constructor(currentVersion: number) {
    super('Version conflict', { current_version: currentVersion });
  }
}

export class IdempotencyKeyReusedError extends UnprocessableError {
  constructor() {
    super('Idempotency-Key was already used with a different request');
  }
}

/** Jittered so that writers who collided do not collide again in lockstep. */
const jitteredPause = (attempt: number) =>
  new Promise<void>((resolve) =>
    setTimeout(resolve, Math.random() * 5 * 2 ** Math.min(attempt, 5)),
  );

const idempotencyWindow = (now: Date) => {
  const recordedAt = Math.floor(now.getTime() / 1000);
  return { recordedAt, expiresAt: recordedAt + IDEMPOTENCY_TTL_SECONDS };
};

const hashRequest = ({ userId, command, expectedVersion }: CommandRequest) =>
  createHash('sha256')
    .update(JSON.stringify([userId, command.type, command.payload, expectedVersion ?? null]))
    .digest('hex');

/**
 * Read the user's head, decide, append at the next version: one read and one conditional write,
 * the least an optimistic-concurrency command can cost. A lost race is re-decided on fresh state
 * (unless the caller pinned `expectedVersion`), a bounded number of times.
 *
 * An Idempotency-Key costs nothing extra on the happy path: it is written in the same
 * transaction as the event, under a condition. It is only read when that condition fails or the
 * command would not store anything (refused, no change), to replay the first answer instead.
 */
export const executeCommand = async (
  deps: CommandDependencies,
  request: CommandRequest,
): Promise<CommandResult> => {
  const requestHash = request.idempotencyKey ? hashRequest(request) : '';
  const earlierResult = async () => {
    if (!request.idempotencyKey) return undefined;
    const record = await deps.store.readIdempotency(request.idempotencyKey, deps.now());
    if (record && record.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return record?.result;
  };
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;

  for (let attempt = 1; ; attempt++) {
    const head = await deps.store.readHead(request.userId);
    let decision: ReturnType<typeof decideAndRecord>;
    try {
      if (request.expectedVersion !== undefined && request.expectedVersion !== head.version) {
        throw new VersionConflictError(head.version);
      }
      decision = decideAndRecord(deps, request, head);
    } catch (refusal) {
      const earlier = await earlierResult();
      if (earlier) return earlier;
      throw refusal;
    }
    const { result, events } = decision;
    if (events.length === 0) return (await earlierResult()) ?? result;
    try {
      await deps.store.appendEvents({
        events,
        idempotency: request.idempotencyKey
          ? { key: request.idempotencyKey, requestHash, result, ...idempotencyWindow(deps.now()) }
          : undefined,
      });
      return result;
    } catch (error) {
      if (!(error instanceof IdempotencyKeyTakenError || error instanceof VersionTakenError)) {
        throw error;
      }
      const earlier = await earlierResult();
      if (earlier) return earlier;
      if (request.expectedVersion !== undefined || attempt >= maxAttempts) {
        throw new VersionConflictError((await deps.store.readHead(request.userId)).version);
      }
      await (deps.pause ?? jitteredPause)(attempt);
    }
  }
};

const decideAndRecord = (deps: CommandDependencies, request: CommandRequest, head: StreamHead) => {
  const occurredAt = deps.now().toISOString();
  let state = head.state;
  const events = decide(request.command, state).map((event, index) => {
    const recorded = {
      ...event,
      aggregateId: request.userId,
      version: head.version + index + 1,
      eventId: deps.newEventId(),
      occurredAt,
      correlationId: request.correlationId,
      schemaVersion: SCHEMA_VERSION,
    } as RecordedEvent;
    state = evolve(state, event);
    return { event: recorded, stateAfter: state };
  });
  const last = events.at(-1)?.event;
  const result: CommandResult = {
    aggregateId: request.userId,
    eventType: request.command.type,
    sequence: last?.version ?? head.version,
    stored: last !== undefined,
    ...(last && { eventId: last.eventId, occurredAt: last.occurredAt }),
  };
  return { result, events };
};
