import { logger } from '@users/shared';
import { count, MetricUnit, metrics } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import { applyErasureMarks } from '../../application/apply-erasure-marks';
import { recordingEraserSteps, recordsBeside } from '../../application/erasure-receipts';
import { finishErasures } from '../../application/finish-erasures';
import type {
  ErasureMarks,
  ErasureSteps,
  ErasureTarget,
  PendingErasures,
  ProjectionRegistry,
  RecordedErasures,
} from '../../application/ports';
import type { ProjectionVersion } from '../../projections';

/** Time kept back from the function's timeout: the last rewrite step under a throttled table. */
const SAFETY_MS = 5000;

/**
 * Hides the users erased while a version was not written in full (the projector's marks), then
 * finishes erased users' history rewrites that the projector left, in the live projection
 * version first, then in each other one whose tables are kept (followers, versions behind,
 * versions dropped with their tables kept). Counts what it finished, what is left for its next
 * run, and what failed (docs/operations.md). Where the stage keeps erasure receipts (`receipts`),
 * records on them when it hid a user in a version and when it finished a version's rewrite; a
 * user whose rewrite is not recorded yet stays pending, and is recorded on a later run.
 */
export const createHistoryEraser =
  (
    registry: Pick<ProjectionRegistry, 'state'> & ErasureMarks,
    /** A version's tables; with a signal, their writes stop when it aborts. */
    tablesOf: (
      version: ProjectionVersion,
      signal?: AbortSignal,
    ) => PendingErasures & ErasureTarget & RecordedErasures,
    receipts?: ErasureSteps,
  ) =>
  async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    // Beside the rewrites, never in their way; waited for (each within its bound) at the end.
    const records = recordsBeside(context.getRemainingTimeInMillis());
    const storeOf = (version: ProjectionVersion) =>
      receipts
        ? recordingEraserSteps(
            tablesOf(version),
            // A rewrite recorded is ended within the records' time too.
            records.of(receipts, (v, signal) => tablesOf(v, signal)),
            version,
          )
        : tablesOf(version);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
    const { live, followers } = await registry.state();
    const versions = [live, ...followers.map((f) => f.version)];
    // A share of the run, as each version's rewrites get: a burst of erasures never starves the
    // live version's rewrites; marks not reached wait for the next run.
    const marks = await applyErasureMarks(
      registry,
      versions,
      storeOf,
      Date.now() + (deadline - Date.now()) / (versions.length + 1),
    );
    const report = { finished: 0, unfinished: marks.left, failed: marks.failed };
    for (const [i, version] of versions.entries()) {
      // An equal share of what is left for each version: a long or throttled rewrite in one never
      // leaves another's erased users readable, and a failing one never stops the next.
      const share = Date.now() + (deadline - Date.now()) / (versions.length - i);
      try {
        const done = await finishErasures(storeOf(version), share, {
          // Hidden just now: their rewrite waits for the next run, when no projector invocation
          // that began before the mark can still be writing their entries.
          skip: marks.hidden.get(version),
        });
        report.finished += done.finished;
        report.unfinished += done.unfinished;
        report.failed += done.failed;
      } catch (error) {
        logger.warn('history rewrites of a projection version failed; the next run goes on', {
          version,
          error,
        });
        report.failed++;
      }
    }
    if (report.finished + report.unfinished + report.failed + marks.applied > 0) {
      logger.info('history rewrites of erased users', { ...report, marksApplied: marks.applied });
    }
    await records.settled();
    count('ErasureMarksApplied', marks.applied);
    count('HistoryRewritesFinished', report.finished);
    // Zero too: "nothing left" must differ from "the eraser did not run".
    metrics.addMetric('HistoryRewritesLeft', MetricUnit.Count, report.unfinished);
    count('HistoryRewriteFailures', report.failed);
    return report;
  };
