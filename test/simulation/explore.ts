import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { type RunReport, simulate } from './model/run';
import { type Run, runArbitrary } from './model/steps';
import { toleratingRunEnded } from './runtime/hung';

export type Failure = {
  seed: number;
  path?: string;
  run: Run;
  violations: RunReport['violations'];
  /** A regression's counts that show it still takes the path it keeps covered. */
  expect?: Partial<RunReport['counts']>;
};

/**
 * Explores `runs` random runs from `seed` (fast-check: each a seed, steps and background faults);
 * on a broken promise, shrinks to the fewest steps that still break one and returns them.
 */
export const explore = async ({
  seed,
  runs: numRuns,
  maxSteps,
  path,
  timeLimitMs = 10 * 60_000,
  onRun = () => {},
}: {
  seed: number;
  runs: number;
  maxSteps: number;
  path?: string;
  /** Time the whole exploration may take, shrinking included. */
  timeLimitMs?: number;
  onRun?: (summary: string) => void;
}) => {
  const started = performance.now();
  const totals = {
    runs: 0,
    skipped: 0,
    commands: 0,
    requests: 0,
    faulted: 0,
    batches: 0,
    erasures: 0,
    lostSchedules: 0,
    completeReceipts: 0,
  };
  let failure: Failure | undefined;
  const result = await toleratingRunEnded(() =>
    fc.check(
      fc.asyncProperty(runArbitrary(maxSteps), async (run) => {
        // Out of time: the remaining runs (and shrinking's candidates) pass untried. Never a run
        // cut off mid-way: it would go on in the background with virtual time installed.
        if (performance.now() - started > timeLimitMs) {
          totals.skipped++;
          return true;
        }
        const report = await simulate(run);
        totals.runs++;
        totals.commands += report.counts.commands;
        totals.requests += report.counts.requests;
        totals.faulted += report.counts.faulted;
        totals.batches += report.counts.projectorBatches;
        totals.erasures += report.counts.scheduledErasures;
        totals.lostSchedules += report.counts.lostSchedules;
        totals.completeReceipts += report.counts.completeReceipts;
        onRun(
          `run ${totals.runs}: ${run.steps.length} steps, ${report.counts.commands} command attempts, ${report.counts.requests} requests (${report.counts.faulted} faulted), ${report.counts.virtualSeconds} s virtual; ${Object.keys(report.operations).join(', ')}${report.violations.length ? `: ${report.violations[0]?.invariant}` : ''}`,
        );
        if (report.violations.length > 0) {
          failure = { seed, run, violations: report.violations };
          return false;
        }
        return true;
      }),
      // Unbiased: runs as long as the step budget allows, not mostly short ones; shrinking still
      // takes a failure down to its fewest steps (within `timeLimitMs`).
      { seed, numRuns, path, unbiased: true, verbose: 0 },
    ),
  );
  const minutes = (performance.now() - started) / 60_000;
  if (result.failed && failure) failure.path = result.counterexamplePath ?? undefined;
  return {
    failure: result.failed ? failure : undefined,
    summary: `${totals.runs} runs${totals.skipped > 0 && !result.failed ? ` (${numRuns - totals.runs} left untried: out of time)` : ''} (seed ${seed}) in ${(minutes * 60).toFixed(1)} s: ${totals.commands} command attempts, ${totals.requests} requests (${totals.faulted} faulted), ${totals.batches} projector batches, ${totals.erasures} scheduled erasures fired (${totals.lostSchedules} schedules' firings lost), ${totals.completeReceipts} receipts read complete; ${Math.round(totals.runs / minutes)} runs per minute`,
  };
};

/** One run again, from the file a failure wrote (or a regression kept in the repository). */
export const replay = async (file: string) => {
  const failure = JSON.parse(readFileSync(file, 'utf8')) as Failure;
  const report = await toleratingRunEnded(() => simulate(failure.run));
  for (const [count, expected] of Object.entries(failure.expect ?? {})) {
    const counted = report.counts[count as keyof RunReport['counts']];
    if (counted !== expected) {
      report.violations.push({
        invariant: 'a regression run takes the path it keeps covered',
        detail: `${count}: ${counted}, expected ${expected}`,
      });
    }
  }
  return report;
};
