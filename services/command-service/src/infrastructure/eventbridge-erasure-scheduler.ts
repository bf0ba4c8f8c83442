import { setTimeout } from 'node:timers/promises';
import type { SchedulerClient, SchedulerClientConfig } from '@aws-sdk/client-scheduler';
import {
  atExpression,
  type ErasureScheduler,
  type ScheduledErasure,
  type ScheduleOutcome,
  scheduleName,
} from '../application/erasure-schedule';

/** Where a schedule sends the erasure, and what it may do on the way, from the owning stack. */
export type ErasureScheduleTarget = {
  /** The stage's schedule group for erasures (deleting the group deletes its schedules). */
  group: string;
  /** The function that carries the erasure out (handlers/scheduled-erasure). */
  functionArn: string;
  /** The role EventBridge Scheduler takes to invoke it: lambda:InvokeFunction on it alone. */
  roleArn: string;
  /** Where a firing that could not be delivered is kept (an SQS queue's ARN). */
  failureQueueArn: string;
};

/**
 * What the eraser receives: the request's due time, and the time the schedule was due as the
 * scheduler puts it in (a context attribute), which the eraser decides at when it is later than
 * its own clock (a local scheduler whose time was made to pass).
 */
export const ERASER_INPUT_SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';
const ERASER_INPUT_EXECUTION_ID = '<aws.scheduler.execution-id>';

/** Creates tried when CreateSchedule conflicts and the schedule is not found, and the pause. */
const CREATE_ATTEMPTS = 3;
const CONFLICT_PAUSE_MS = 200;

/**
 * A require, not an import: a bundle carries the client in a file of its own beside it, read the
 * first time a user asks to be erased (or cancels), not at every cold start.
 */
const sdk = () => require('./scheduler-client') as typeof import('./scheduler-client');

/**
 * EventBridge Scheduler one-time schedules, deleted once they fired. The scheduler invokes the
 * eraser asynchronously: it retries an invoke call that fails (throttled, not permitted) for up to
 * a day, then leaves it in the failure queue; an erasure that fails is retried twice by Lambda,
 * then lands in that queue too (the function's on-failure destination).
 */
export class EventBridgeErasureScheduler implements ErasureScheduler {
  private made?: SchedulerClient;

  constructor(
    private readonly config: SchedulerClientConfig,
    private readonly target: ErasureScheduleTarget,
    /** What each client is wrapped in once made (tracing). */
    private readonly wrap: (client: SchedulerClient) => SchedulerClient = (client) => client,
  ) {}

  private get client() {
    this.made ??= this.wrap(new (sdk().SchedulerClient)(this.config));
    return this.made;
  }

  /**
   * Made, or found made. CreateSchedule answers ConflictException when a schedule of that name
   * exists (a command tried again: it erases whichever request is pending at that time, so it
   * serves this one), but a conflict is not proof of it, so the schedule is looked up. Not there
   * (another conflict, or a schedule being deleted): made again after a pause, up to
   * CREATE_ATTEMPTS times within the command's signal; then the request is not stored
   * (ErasureNotScheduled: 503, try again). When the last lookup failed otherwise (throttled past
   * the SDK's retries, a grant not yet propagated) and nothing later settles it (the tries or the
   * command's time for them run out, a create made again fails, a lookup cut off: the SDK's backoff
   * on a throttled lookup takes seconds), the conflict is taken at its word, unconfirmed (see
   * lookUp). A cancellation of an earlier request due at the same millisecond may still delete the
   * schedule after it was found (erasure-schedule.ts): the sweep carries that request out.
   */
  async schedule(erasure: ScheduledErasure, abortSignal?: AbortSignal): Promise<ScheduleOutcome> {
    /** A conflict whose lookup failed: what is left to answer if nothing settles it later. */
    let unsettled: { confirmed: false; why: unknown } | undefined;
    const orUnsettled = (error: unknown): ScheduleOutcome => {
      if (!unsettled) throw error;
      // Both told (the log, the alarm's runbook): the lookup's failure and what ended the tries.
      return {
        confirmed: false,
        why: new AggregateError([unsettled.why, error], 'lookup failed, then the tries ended'),
      };
    };
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.create(erasure, abortSignal)) return { confirmed: true };
      } catch (error) {
        return orUnsettled(error);
      }
      const found = await this.lookUp(erasure, abortSignal);
      if (found.confirmed) return found;
      // Not found settles it: a conflict taken at its word earlier no longer stands.
      unsettled = 'why' in found ? found : undefined;
      if (attempt === CREATE_ATTEMPTS || abortSignal?.aborted) {
        if (unsettled) return unsettled;
        throw new Error(`schedule ${scheduleName(erasure)}: conflict, and not found`);
      }
      try {
        await setTimeout(CONFLICT_PAUSE_MS * attempt, undefined, { signal: abortSignal });
      } catch (error) {
        return orUnsettled(error);
      }
    }
  }

  /** True when made, false when CreateSchedule answered ConflictException. */
  private async create(erasure: ScheduledErasure, abortSignal?: AbortSignal) {
    const { CreateScheduleCommand, ConflictException } = sdk();
    const name = scheduleName(erasure);
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.target.group,
          ScheduleExpression: atExpression(erasure.eraseAfter),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          // No ClientToken of ours: the SDK makes one per call and keeps it through its own
          // retries. One per request would make a create after a conflict replay the first.
          Target: {
            Arn: this.target.functionArn,
            RoleArn: this.target.roleArn,
            Input: eraserInput(erasure),
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
            DeadLetterConfig: { Arn: this.target.failureQueueArn },
          },
        }),
        { abortSignal },
      );
      return true;
    } catch (error) {
      if (error instanceof ConflictException) return false;
      throw error;
    }
  }

  /**
   * Found, not found (GetSchedule answered so), or unknown: a lookup that failed otherwise. An
   * unknown one takes the conflict at its word, as before the lookup existed: refusing the request
   * would be worse, and should the schedule be missing after all, the sweep carries the erasure
   * out once it is overdue.
   */
  private async lookUp(
    erasure: ScheduledErasure,
    abortSignal?: AbortSignal,
  ): Promise<ScheduleOutcome | { confirmed: false }> {
    const { GetScheduleCommand, ResourceNotFoundException } = sdk();
    try {
      await this.client.send(
        new GetScheduleCommand({ Name: scheduleName(erasure), GroupName: this.target.group }),
        { abortSignal },
      );
      return { confirmed: true };
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return { confirmed: false };
      return { confirmed: false, why: error };
    }
  }

  async unschedule(erasure: ScheduledErasure, abortSignal?: AbortSignal): Promise<void> {
    const { DeleteScheduleCommand, ResourceNotFoundException } = sdk();
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(erasure), GroupName: this.target.group }),
        { abortSignal },
      );
    } catch (error) {
      // Fired and deleted itself already, or deleted by a cancellation tried again.
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}

/** The eraser's input, with the scheduler's context attributes in place for it to fill. */
export const eraserInput = ({ userId, eraseAfter }: ScheduledErasure) =>
  JSON.stringify({
    user_id: userId,
    erase_after: eraseAfter,
    scheduled_time: ERASER_INPUT_SCHEDULED_TIME,
    execution_id: ERASER_INPUT_EXECUTION_ID,
  });
