import type { SchedulerClient, SchedulerClientConfig } from '@aws-sdk/client-scheduler';
import {
  atExpression,
  type ErasureScheduler,
  type ScheduledErasure,
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

  async schedule(erasure: ScheduledErasure, abortSignal?: AbortSignal): Promise<void> {
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
          // The same token for the same request: a retried create is the same create.
          ClientToken: name,
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
    } catch (error) {
      // Made already for this due time (a command tried again): it erases whichever request is
      // pending at that time, so it serves this one.
      if (!(error instanceof ConflictException)) throw error;
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
