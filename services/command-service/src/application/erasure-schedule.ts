import { createHash } from 'node:crypto';

/** A pending erasure, as the scheduler knows it: whose, and when it falls due. */
export type ScheduledErasure = { userId: string; eraseAfter: string };

export type ScheduleOutcome = { confirmed: true } | { confirmed: false; why: unknown };

/**
 * Where erasures wait out their grace period (EventBridge Scheduler in a stage). Safe to repeat:
 * a command tried again makes the same schedule. A cancelled request's schedule is deleted once
 * the cancellation is stored, so that asking and cancelling over and over cannot fill the
 * account's schedules (a quota shared by the whole account); one left (the deletion failed) fires
 * for nothing, since the scheduled erasure only erases the request pending at its due time. The
 * deletion can race a new request made in the same millisecond, whose schedule has the same name
 * (the simulation found it): that request is then carried out by the hourly sweep of overdue
 * erasures (sweep-overdue-erasures.ts), at most an hour late.
 */
export interface ErasureScheduler {
  /**
   * Arranges the erasure at `eraseAfter`; one already arranged for the same request is kept.
   * Given up when `signal` aborts. Unconfirmed: the scheduler said it exists, but could not be
   * asked to show it, and nothing later settled it (the sweep carries the erasure out if it was
   * wrong); `why` names each failure.
   */
  schedule(erasure: ScheduledErasure, signal?: AbortSignal): Promise<ScheduleOutcome>;
  /** Deletes the erasure's schedule; one already gone is fine. Given up when `signal` aborts. */
  unschedule(erasure: ScheduledErasure, signal?: AbortSignal): Promise<void>;
}

/**
 * One schedule per due time, named by the user and that time (a name holds at most 64 of
 * [0-9A-Za-z-_.], a user id up to 128 characters of anything printable, hence the hash).
 */
export const scheduleName = ({ userId, eraseAfter }: ScheduledErasure) =>
  `erase-${createHash('sha256').update(userId).digest('hex').slice(0, 32)}-${Date.parse(eraseAfter)}`;

/**
 * The at() expression for a due time: the next whole minute, since EventBridge Scheduler fires
 * within the minute it is set for (60 s precision), so that it never fires before the erasure is
 * due (the decider would refuse it, and Lambda try it again a minute later).
 */
export const atExpression = (eraseAfter: string) => {
  const minutes = Math.ceil(Date.parse(eraseAfter) / 60_000);
  return `at(${new Date(minutes * 60_000).toISOString().slice(0, 19)})`;
};
