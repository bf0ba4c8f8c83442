import { logger } from '@users/shared';
import type { ErasureScheduler } from './erasure-schedule';
import {
  type AppendRequest,
  type EventStore,
  type HeadNeeds,
  type IdempotencyRecord,
  TooLateToWrite,
  WRITE_AND_LOOKUP_MS,
} from './ports';

/**
 * What a schedule may take of a command's time: the write after it needs the store's own margin
 * (TooLateToWrite), and a little more for the steps between, so that a schedule made just in time
 * is followed by its write rather than refused for lack of time.
 */
const WRITE_MS = WRITE_AND_LOOKUP_MS + 200;

/** Past `at` (epoch ms), or at once when no time is left: the call is given up. */
const abortAt = (at: number | undefined) =>
  at === undefined ? undefined : AbortSignal.timeout(Math.max(0, at - Date.now()));

/**
 * Thrown when an erasure request's schedule could not be made: the request is not stored, so
 * the client may send it again (503).
 */
export class ErasureNotScheduled extends Error {
  override readonly name = 'ErasureNotScheduled';

  constructor(cause: unknown) {
    super('the erasure could not be scheduled; nothing was stored', { cause });
  }
}

/** How long a cancelled request's schedule deletion may take of the time left after the write. */
const UNSCHEDULE_MS = 2_000;

/**
 * The event store, with an erasure request's schedule made before the request is stored: an
 * acknowledged request is always carried out, whatever happens to the stream or the publisher
 * afterwards. A schedule made for a request that is then not stored (a lost race, a failed write)
 * fires for nothing: the scheduled erasure only erases the request pending at its due time. A
 * cancelled request's schedule is deleted once the cancellation is stored (erasure-schedule.ts
 * says why), within the command's time; one not deleted fires for nothing too.
 */
export class ErasureSchedulingStore implements EventStore {
  constructor(
    private readonly store: EventStore,
    private readonly scheduler: ErasureScheduler,
    /** Told of each schedule taken as made unconfirmed (a metric: the sweep covers a miss). */
    private readonly onUnconfirmed: () => void = () => {},
  ) {}

  readHead(userId: string, needs: HeadNeeds) {
    return this.store.readHead(userId, needs);
  }

  recordOutcome(record: IdempotencyRecord) {
    return this.store.recordOutcome(record);
  }

  readIdempotency(key: string, now: Date) {
    return this.store.readIdempotency(key, now);
  }

  async appendEvents(request: AppendRequest): Promise<void> {
    const unconfirmed: { userId: string; why: unknown }[] = [];
    for (const { event } of request.events) {
      if (event.type !== 'USER_ERASURE_REQUESTED') continue;
      const erasure = { userId: event.userId, eraseAfter: event.payload.erase_after };
      const cutoff = request.deadline && request.deadline - WRITE_MS;
      // No time left for it: nothing sent, not even a schedule that would fire for nothing.
      if (cutoff !== undefined && cutoff <= Date.now()) {
        throw new ErasureNotScheduled(new TooLateToWrite());
      }
      const scheduled = await this.scheduler
        .schedule(erasure, abortAt(cutoff))
        .catch((error: unknown) => {
          throw new ErasureNotScheduled(error);
        });
      if (!scheduled.confirmed) unconfirmed.push({ userId: erasure.userId, why: scheduled.why });
    }
    await this.store.appendEvents(request);
    // Told once stored: a request refused after all (no time left to write, a version taken
    // meanwhile) leaves nothing for the sweep to cover.
    for (const { userId, why } of unconfirmed) {
      logger.warn('erasure schedule taken as made, unconfirmed; the sweep covers it if not', {
        userId,
        error: why,
      });
      this.onUnconfirmed();
    }
    for (const { event } of request.events) {
      if (event.type !== 'USER_ERASURE_CANCELLED') continue;
      const erasure = { userId: event.userId, eraseAfter: event.payload.erase_after };
      const until = Date.now() + UNSCHEDULE_MS;
      const signal = abortAt(request.deadline ? Math.min(request.deadline, until) : until);
      await this.scheduler.unschedule(erasure, signal).catch((error: unknown) => {
        logger.warn('cancelled erasure left scheduled: it will fire for nothing', {
          userId: erasure.userId,
          error,
        });
      });
    }
  }
}
