import { HttpError } from '@users/shared/http';
import type { CommandOutcome, Refusal, RefusalCode } from '../application/ports';
import { MAX_BALANCE } from '../domain/decide';

/** The one place where the outcome of a command becomes HTTP: status and message per refusal. */
const REFUSALS: Record<RefusalCode, { status: number; message: string }> = {
  USER_ALREADY_EXISTS: { status: 409, message: 'User already exists' },
  USER_NOT_FOUND: { status: 404, message: 'User ID not found' },
  USER_DELETED: { status: 410, message: 'User has been deleted' },
  USER_ERASED: { status: 410, message: 'User has been erased' },
  INSUFFICIENT_BALANCE: { status: 422, message: 'Balance cannot go below 0' },
  BALANCE_LIMIT: { status: 422, message: `Balance cannot exceed ${MAX_BALANCE}` },
  VERSION_CONFLICT: { status: 409, message: 'Version conflict' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    message: 'Idempotency-Key was already used with a different request',
  },
};

export const refusalError = ({ code, details }: Refusal) => {
  const { status, message } = REFUSALS[code];
  return new HttpError(status, message, { code, ...details });
};

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
