import { logger } from '@users/shared';
import { carryOutErasure } from './carry-out-erasure';
import type { ScheduledErasure } from './erasure-schedule';
import type { CommandDependencies } from './execute-command';
import {
  type PendingErasures,
  TooLateToWrite,
  WRITE_AND_LOOKUP_MS,
  WriteOutcomeUnknown,
} from './ports';

/**
 * How long past its due time a pending erasure is left to its schedule: the firing (within the
 * minute it is set for) and Lambda's two retries of a failed one (a minute or two apart) come
 * first, so the sweep only takes over what they lost.
 */
export const SWEEP_MARGIN_MS = 5 * 60_000;

/**
 * What one erasure needs of the run's time: the user's head read, then the write and the lookup
 * of its outcome (the store refuses to start a write with less time left: TooLateToWrite).
 */
const ONE_ERASURE_MS = WRITE_AND_LOOKUP_MS + 2_000;

/** Erasures carried out at once: each is a user (a partition) of its own. */
const AT_ONCE = 4;

export type SweepReport = {
  erased: number;
  alreadyErased: number;
  notPending: number;
  failed: number;
  /** Overdue, found, and not tried before the deadline: the next run's. */
  left: number;
  /** Pending and not overdue yet: their schedules' to carry out. */
  notDue: number;
  /** Whether the whole table was read (false: the deadline came first; the next run goes on). */
  complete: boolean;
};

/**
 * Carries out every pending erasure overdue by more than SWEEP_MARGIN_MS (by `deps.now()`), as
 * its schedule's firing would have (carryOutErasure): one whose firing was lost (a schedule
 * deleted, its failure queue never redriven, a stage removed while it was due) is carried out at
 * the latest one sweep later. Safe beside a late firing or another sweep: the store stores one
 * USER_ERASED. Starts nothing that could not end by `deadline` (epoch ms): the rest is left for
 * the next run. `clock` is the time the deadline is measured in.
 */
export const sweepOverdueErasures = async (
  deps: CommandDependencies,
  pending: PendingErasures,
  { deadline, clock = Date.now }: { deadline: number; clock?: () => number },
): Promise<SweepReport> => {
  const report: SweepReport = {
    erased: 0,
    alreadyErased: 0,
    notPending: 0,
    failed: 0,
    left: 0,
    notDue: 0,
    complete: false,
  };
  const cutoff = deps.now().getTime() - SWEEP_MARGIN_MS;
  const timeLeft = () => deadline - clock() >= ONE_ERASURE_MS;
  const carryOut = async (erasure: ScheduledErasure) => {
    // Each erasure its own correlation id, as each firing has its execution id.
    const correlationId = deps.newEventId();
    try {
      const done = await carryOutErasure(deps, erasure, { correlationId, deadline });
      if (done.outcome === 'erased') {
        report.erased++;
        logger.info('overdue erasure carried out: its firing was lost', {
          ...erasure,
          correlationId,
          version: done.version,
        });
      } else if (done.outcome === 'already erased') report.alreadyErased++;
      else report.notPending++;
    } catch (error) {
      // The run's end came first (no time to write, or to learn a write's outcome): the next
      // run's work, not a failure (its row is still there, or gone if the write landed).
      if (error instanceof TooLateToWrite || error instanceof WriteOutcomeUnknown) {
        report.left++;
        return;
      }
      report.failed++;
      logger.warn('overdue erasure not carried out; the next sweep tries again', {
        ...erasure,
        correlationId,
        error,
      });
    }
  };
  const pages = pending.pages()[Symbol.asyncIterator]();
  // A page is read only with time left to carry out what it holds.
  while (timeLeft()) {
    const page = await pages.next();
    if (page.done) return { ...report, complete: true };
    const overdue = page.value.filter(({ eraseAfter }) => Date.parse(eraseAfter) <= cutoff);
    report.notDue += page.value.length - overdue.length;
    const work = async () => {
      for (let next = overdue.shift(); next; next = overdue.shift()) {
        if (timeLeft()) await carryOut(next);
        else report.left++;
      }
    };
    await Promise.all(Array.from({ length: AT_ONCE }, work));
  }
  // Out of time: the rest of the table waits for the next run.
  await pages.return?.();
  return report;
};
