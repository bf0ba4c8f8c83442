import { logger } from '@users/shared';
import { count, MetricUnit, metrics } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import { finishErasures } from '../../application/finish-erasures';
import type { PendingErasures, ProjectionRegistry } from '../../application/ports';
import type { ProjectionVersion } from '../../projections';

/** Time kept back from the function's timeout: the last rewrite step under a throttled table. */
const SAFETY_MS = 5000;

/**
 * Finishes erased users' history rewrites that the projector left, in the live projection
 * version first, then in each other one the projector writes. Counts what it finished, what is
 * left for its next run, and what failed (docs/operations.md).
 */
export const createHistoryEraser =
  (
    registry: Pick<ProjectionRegistry, 'state'>,
    storeOf: (version: ProjectionVersion) => PendingErasures,
  ) =>
  async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
    const { live, followers } = await registry.state();
    const versions = [live, ...followers.map((f) => f.version)];
    const report = { finished: 0, unfinished: 0, failed: 0 };
    for (const [i, version] of versions.entries()) {
      // An equal share of what is left for each version: a long or throttled rewrite in one never
      // leaves another's erased users readable, and a failing one never stops the next.
      const share = Date.now() + (deadline - Date.now()) / (versions.length - i);
      try {
        const done = await finishErasures(storeOf(version), share);
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
    if (report.finished + report.unfinished + report.failed > 0) {
      logger.info('history rewrites of erased users', report);
    }
    count('HistoryRewritesFinished', report.finished);
    // Zero too: "nothing left" must differ from "the eraser did not run".
    metrics.addMetric('HistoryRewritesLeft', MetricUnit.Count, report.unfinished);
    count('HistoryRewriteFailures', report.failed);
    return report;
  };
