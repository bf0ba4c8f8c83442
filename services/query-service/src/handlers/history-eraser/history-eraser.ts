import { logger } from '@users/shared';
import { count, MetricUnit, metrics } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import { finishErasures } from '../../application/finish-erasures';
import type { PendingErasures } from '../../application/ports';

/** Time kept back from the function's timeout: the last rewrite step under a throttled table. */
const SAFETY_MS = 5000;

/**
 * Finishes erased users' history rewrites that the projector left. Counts what it finished, what
 * is left for its next run, and what failed (docs/operations.md).
 */
export const createHistoryEraser =
  (store: PendingErasures) =>
  async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
    const report = await finishErasures(store, deadline);
    if (report.finished + report.unfinished + report.failed > 0) {
      logger.info('history rewrites of erased users', report);
    }
    count('HistoryRewritesFinished', report.finished);
    // Zero too: "nothing left" must differ from "the eraser did not run".
    metrics.addMetric('HistoryRewritesLeft', MetricUnit.Count, report.unfinished);
    count('HistoryRewriteFailures', report.failed);
    return report;
  };
