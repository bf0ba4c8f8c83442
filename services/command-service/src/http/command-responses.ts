import { HttpError, jsonResponse } from '@users/shared/http';
import type { CommandAnswer } from '../application/execute-command';
import type { CommandOutcome, Refusal, RefusalCode } from '../application/ports';
import { MAX_BALANCE } from '../domain/decide';

/**
 * What a refused command answers, in the original API's words; its status and the fields each
 * code carries are the closed list's (shared/src/http/error-codes.ts).
 */
const REFUSALS: Record<RefusalCode, string> = {
  USER_ALREADY_EXISTS: 'User already exists',
  USER_NOT_FOUND: 'User ID not found',
  USER_DELETED: 'User has been deleted',
  USER_ERASED: 'User has been erased',
  ERASURE_PENDING:
    "User has asked to be erased: only USER_ERASURE_CANCELLED (or an administrator's USER_ERASED) is accepted",
  ERASURE_NOT_PENDING: 'No erasure is pending for this user',
  INSUFFICIENT_BALANCE: 'Balance cannot go below 0',
  BALANCE_LIMIT: `Balance cannot exceed ${MAX_BALANCE}`,
  VERSION_CONFLICT: 'Version conflict',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key was already used with a different request',
};

/** Marks the answer recorded for an earlier request with the same Idempotency-Key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
const replayMark = (replayed: boolean | undefined): Record<string, string> =>
  replayed ? { [IDEMPOTENT_REPLAYED_HEADER]: 'true' } : {};

// The decider's details are the fields its code carries (balance and delta, current_version).
export const refusalError = ({ code, details }: Refusal, replayed?: boolean) =>
  new HttpError(code, REFUSALS[code], details as never, replayMark(replayed));

/** The original API's answer (`aggregate_id`, `sequence`), plus the stored event's id and time. */
export const acceptedBody = (outcome: Exclude<CommandOutcome, { kind: 'refused' }>) => {
  const { result } = outcome;
  return {
    message: outcome.kind === 'stored' ? 'Event stored' : 'No change',
    aggregate_id: result.userId,
    event_type: result.eventType,
    sequence: result.version,
    ...(result.eventId && { event_id: result.eventId, occurred_at: result.occurredAt }),
  };
};

/** A stored or unchanged command's 200; a replayed one says so in a header, its body unchanged. */
export const acceptedResponse = (answer: Exclude<CommandAnswer, { kind: 'refused' }>) => {
  const response = jsonResponse(200, acceptedBody(answer));
  return { ...response, headers: { ...response.headers, ...replayMark(answer.replayed) } };
};
