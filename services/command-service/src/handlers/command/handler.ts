import { randomUUID } from 'node:crypto';
import { documentClientFromEnv, FUNCTION_CLIENT_OPTIONS, requiredEnv } from '@users/shared/dynamo';
import { httpHandler } from '@users/shared/http';
import { traceClient } from '@users/shared/observability';
import { ErasureSchedulingStore } from '../../application/erasure-scheduling-store';
import { executeCommand } from '../../application/execute-command';
import type { UserCommand } from '../../domain/commands';
import { authorizeCommand } from '../../http/authorization';
import { acceptedResponse, refusalError } from '../../http/command-responses';
import { eventStoreFromEnv } from '../../infrastructure/event-store-from-env';
import { EventBridgeErasureScheduler } from '../../infrastructure/eventbridge-erasure-scheduler';
import { commandObserver, countOutcome, countUnconfirmedSchedule } from './metrics';
import { validateCommandRequest } from './request-validator';

/** One minute, in days. */
const MIN_GRACE_DAYS = 1 / 1440;

/** The stage's `erasureGraceDays` (30 unless it says otherwise; 0 erases at once). */
const erasureGraceDays = () => {
  const text = process.env.ERASURE_GRACE_DAYS ?? '30';
  const days = Number(text);
  // Empty would read as 0, an erasure at once: refused, never taken for it. A period under a
  // minute (EventBridge Scheduler's precision) could fall due before its request is stored.
  if (text.trim() === '' || !(days === 0 || (days >= MIN_GRACE_DAYS && days <= 3650))) {
    throw new Error('ERASURE_GRACE_DAYS must be 0, or 1 minute to 3650 days');
  }
  return days;
};

const store = new ErasureSchedulingStore(
  eventStoreFromEnv(documentClientFromEnv()),
  new EventBridgeErasureScheduler(
    FUNCTION_CLIENT_OPTIONS,
    {
      group: requiredEnv('ERASURE_SCHEDULE_GROUP'),
      functionArn: requiredEnv('ERASER_FUNCTION_ARN'),
      roleArn: requiredEnv('ERASURE_SCHEDULER_ROLE_ARN'),
      failureQueueArn: requiredEnv('ERASURE_FAILURE_QUEUE_ARN'),
    },
    traceClient,
  ),
  countUnconfirmedSchedule,
);
const deps = {
  store,
  now: () => new Date(),
  newEventId: randomUUID,
  observer: commandObserver,
  erasureGraceSeconds: erasureGraceDays() * 24 * 60 * 60,
};

/** Time kept back from the function's timeout for the answer itself. */
const ANSWER_MS = 1000;

export const handler = httpHandler(
  { parseJsonBody: true, authorize: authorizeCommand, schema: validateCommandRequest },
  async ({ body, headers }, { correlationId, caller, getRemainingTimeInMillis }) => {
    const outcome = await executeCommand(deps, {
      userId: body.user_id,
      command: { type: body.event_type, payload: body.payload } as UserCommand,
      expectedVersion: body.expected_version,
      caller: caller.subject,
      idempotencyKey: headers['idempotency-key'],
      correlationId,
      deadline: Date.now() + getRemainingTimeInMillis() - ANSWER_MS,
    });
    countOutcome(body.event_type, outcome);
    if (outcome.kind === 'refused') throw refusalError(outcome.refusal, outcome.replayed);
    return acceptedResponse(outcome);
  },
);
