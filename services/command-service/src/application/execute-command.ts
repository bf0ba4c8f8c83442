import { createHash } from 'node:crypto';
import { type RecordedEvent, schemaVersionOf } from '@users/shared';
import stableStringify from 'safe-stable-stringify';
import type { UserCommand } from '../domain/commands';
import { decide } from '../domain/decide';
import { CommandRefused } from '../domain/errors';
import { evolve } from '../domain/user';
import {
  type AppendRequest,
  type CommandOutcome,
  type EventStore,
  IdempotencyKeyTakenError,
  type IdempotencyRecord,
  type Refusal,
  type StreamHead,
  VersionTakenError,
} from './ports';

export type CommandRequest = {
  userId: string;
  command: UserCommand;
  expectedVersion?: number;
  /** Who sends it (the token's subject): an Idempotency-Key belongs to its caller alone. */
  caller: string;
  idempotencyKey?: string;
  correlationId: string;
  /** Epoch ms by which the command must be answered (see AppendRequest). */
  deadline?: number;
};

export type CommandDependencies = {
  store: EventStore;
  now: () => Date;
  newEventId: () => string;
  /** How often a lost race is re-decided, and how long to wait first; RETRY_POLICY if not set. */
  retryPolicy?: RetryPolicy;
  /** Told what an operator counts but the outcome does not show. */
  observer?: CommandObserver;
  /** How long a requested erasure waits for a cancellation; DEFAULT_ERASURE_GRACE_SECONDS if not set. */
  erasureGraceSeconds?: number;
};

/** 30 days: what a stage gets unless its `erasureGraceDays` parameter says otherwise. */
export const DEFAULT_ERASURE_GRACE_SECONDS = 30 * 24 * 60 * 60;

export type CommandObserver = {
  /** Another writer took the version this attempt decided on: it is decided again. */
  lostRace: () => void;
  /** A retry under an Idempotency-Key got the answer recorded for it, without deciding again. */
  replayed: () => void;
};

/**
 * Attempts per command, and a pause after the n-th lost race drawn at random from
 * [0, baseMs x 2^min(n, capExponent)) ("full jitter"), so writers who collided spread out.
 */
export type RetryPolicy = { maxAttempts: number; baseMs: number; capExponent: number };

/** Chosen by `npm run bench` (hot user): see docs/scale.md for the measurement. */
export const RETRY_POLICY: RetryPolicy = { maxAttempts: 10, baseMs: 50, capExponent: 3 };

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * How a command ended, and whether this is the answer recorded for an earlier request with the
 * same Idempotency-Key (`replayed`: nothing was decided or stored now).
 */
export type CommandAnswer = CommandOutcome & { replayed?: true };

type Idempotency = Pick<IdempotencyRecord, 'key' | 'requestHash'> & {
  request: CommandRequest;
};
type AttemptOutcome = CommandAnswer | { kind: 'lostRace' };

const jitteredPause = ({ baseMs, capExponent }: RetryPolicy, attempt: number) =>
  baseMs === 0
    ? Promise.resolve()
    : new Promise<void>((resolve) =>
        setTimeout(resolve, Math.random() * baseMs * 2 ** Math.min(attempt, capExponent)),
      );

const refused = (code: Refusal['code'], details: Refusal['details'] = {}): CommandOutcome => ({
  kind: 'refused',
  refusal: { code, details },
});

const requestFields = ({ userId, command, expectedVersion }: CommandRequest) => [
  userId,
  command.type,
  command.payload,
  expectedVersion ?? null,
];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The same JSON value hashes the same, whatever the order of its keys or its whitespace. */
const hashRequest = (request: CommandRequest) =>
  sha256(stableStringify(requestFields(request)) as string);

/** The key as stored: the caller's own, so no caller can take or probe another's keys. */
export const scopedKey = (caller: string, key: string) =>
  `caller.${sha256(JSON.stringify([caller, key]))}`;

const idempotencyOf = (request: CommandRequest): Idempotency | undefined => {
  if (!request.idempotencyKey) return undefined;
  return {
    key: scopedKey(request.caller, request.idempotencyKey),
    requestHash: hashRequest(request),
    request,
  };
};

/**
 * Runs a command until it is decided: each attempt reads the user's head, decides, and appends
 * at the next version (one read, one conditional write). A lost race is re-decided on fresh
 * state a bounded number of times; with `expectedVersion` the next attempt refuses it instead.
 *
 * With an Idempotency-Key, the first decided outcome (stored, unchanged or refused) is recorded
 * for 24 hours and every retry with the same request gets it back. On the happy path the record
 * rides in the event's own transaction, so the key costs no extra read.
 */
export const executeCommand = async (
  deps: CommandDependencies,
  request: CommandRequest,
): Promise<CommandAnswer> => {
  const idempotency = idempotencyOf(request);
  const policy = deps.retryPolicy ?? RETRY_POLICY;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(deps, request, idempotency).catch((error: unknown) =>
      answeredBefore(deps, idempotency, error),
    );
    if (outcome.kind !== 'lostRace') return outcome;
    deps.observer?.lostRace();
    if (attempt >= policy.maxAttempts) {
      // Contention, not a decision: a retry later may well succeed, so the key stays free.
      const { version } = await deps.store.readHead(request.userId, { personalData: false });
      return refused('VERSION_CONFLICT', { current_version: version });
    }
    await jitteredPause(policy, attempt);
  }
};

/**
 * Only an update decides on the user's personal fields (is anything changed?): every other
 * command leaves them sealed, so it needs no data key, no key-table read and no KMS call.
 */
const opensPersonalData = (command: UserCommand) => command.type === 'USER_UPDATED';

const attemptOnce = async (
  deps: CommandDependencies,
  request: CommandRequest,
  idempotency: Idempotency | undefined,
): Promise<AttemptOutcome> => {
  const head = await deps.store.readHead(request.userId, {
    personalData: opensPersonalData(request.command),
  });
  const decision = decideAt(deps, request, head);
  if (!('events' in decision)) return settle(deps, idempotency, decision);
  try {
    await deps.store.appendEvents({
      events: decision.events,
      idempotency: idempotency && recordOf(deps, idempotency, decision.outcome),
      carried: head.carried,
      deadline: request.deadline,
    });
    return decision.outcome;
  } catch (error) {
    if (error instanceof IdempotencyKeyTakenError) return replay(deps, idempotency);
    if (error instanceof VersionTakenError) return { kind: 'lostRace' };
    throw error;
  }
};

/** Records an outcome that stored nothing, unless the key already holds one: then that one. */
const settle = async (
  deps: CommandDependencies,
  idempotency: Idempotency | undefined,
  outcome: CommandOutcome,
): Promise<AttemptOutcome> => {
  if (!idempotency) return outcome;
  try {
    await deps.store.recordOutcome(recordOf(deps, idempotency, outcome));
    return outcome;
  } catch (error) {
    if (error instanceof IdempotencyKeyTakenError) return replay(deps, idempotency);
    throw error;
  }
};

const isRecordOf = (record: IdempotencyRecord, { requestHash }: Idempotency) =>
  record.requestHash === requestHash;

/** The answer recorded under the caller's key, if it is still live. */
const recordedAnswer = (deps: CommandDependencies, idempotency: Idempotency) =>
  deps.store.readIdempotency(idempotency.key, deps.now());

const replay = async (
  deps: CommandDependencies,
  idempotency: Idempotency | undefined,
): Promise<AttemptOutcome> => {
  const record = idempotency && (await recordedAnswer(deps, idempotency));
  // Taken a moment ago but expired since: the key is free again, so decide afresh.
  if (!record) return { kind: 'lostRace' };
  if (!isRecordOf(record, idempotency)) return refused('IDEMPOTENCY_KEY_REUSED');
  deps.observer?.replayed();
  return { ...record.outcome, replayed: true };
};

/**
 * A retry of a request already answered gets that answer, even when deciding again would fail
 * now (a KMS outage, an event of a newer release): the answer does not depend on today's state.
 */
const answeredBefore = async (
  deps: CommandDependencies,
  idempotency: Idempotency | undefined,
  error: unknown,
): Promise<CommandAnswer> => {
  const record = idempotency && (await recordedAnswer(deps, idempotency).catch(() => undefined));
  if (!record || !isRecordOf(record, idempotency)) throw error;
  deps.observer?.replayed();
  return { ...record.outcome, replayed: true };
};

const recordOf = (
  deps: CommandDependencies,
  { key, requestHash }: Idempotency,
  outcome: CommandOutcome,
): IdempotencyRecord => {
  const recordedAt = Math.floor(deps.now().getTime() / 1000);
  return {
    key,
    requestHash,
    outcome,
    recordedAt,
    expiresAt: recordedAt + IDEMPOTENCY_TTL_SECONDS,
  };
};

type Decision = CommandOutcome | { outcome: CommandOutcome; events: AppendRequest['events'] };

const decideAt = (
  deps: CommandDependencies,
  request: CommandRequest,
  head: StreamHead,
): Decision => {
  if (request.expectedVersion !== undefined && request.expectedVersion !== head.version) {
    return refused('VERSION_CONFLICT', { current_version: head.version });
  }
  // One clock reading per decision: what it decides on (a grace period's end) and when its events
  // occurred agree to the millisecond.
  const now = deps.now();
  let decided: ReturnType<typeof decide>;
  try {
    decided = decide(request.command, head.state, {
      now,
      erasureGraceSeconds: deps.erasureGraceSeconds ?? DEFAULT_ERASURE_GRACE_SECONDS,
    });
  } catch (error) {
    if (error instanceof CommandRefused) return refused(error.code, error.details);
    throw error;
  }
  const { type } = request.command;
  const unchanged = {
    userId: request.userId,
    eventType: type === 'CARRY_OUT_ERASURE' ? ('USER_ERASED' as const) : type,
  };
  if (decided.length === 0) {
    return { kind: 'unchanged', result: { ...unchanged, version: head.version } };
  }
  const occurredAt = now.toISOString();
  let state = head.state;
  const events = decided.map((event, index) => {
    const recorded = {
      ...event,
      userId: request.userId,
      version: head.version + index + 1,
      eventId: deps.newEventId(),
      occurredAt,
      correlationId: request.correlationId,
      schemaVersion: schemaVersionOf(event.type),
    } as RecordedEvent;
    state = evolve(state, event);
    return { event: recorded, stateAfter: state };
  });
  const last = events[events.length - 1]?.event as RecordedEvent;
  return {
    events,
    outcome: {
      kind: 'stored',
      // The stored event's type: an erasure asked for with no grace period is one at once.
      result: {
        ...unchanged,
        eventType: last.type,
        version: last.version,
        eventId: last.eventId,
        occurredAt,
      },
    },
  };
};
