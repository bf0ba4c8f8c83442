import middy from '@middy/core';
import { logger } from '@users/shared';
import { count, MetricUnit, metrics, observeInvocation } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import { finishErasures } from '../../application/finish-erasures';
import { readModelStore } from '../dependencies';

/** Time kept back from the function's timeout: the last rewrite step under a throttled table. */
const SAFETY_MS = 5000;

/**
 * Runs on a schedule: finishes erased users' history rewrites that the projector left. Counts
 * what it finished, what is left for its next run, and what failed (docs/operations.md).
 */
export const handler = middy<unknown, unknown, Error, Context>()
  .use(observeInvocation())
  .handler(async (_event, context) => {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
    const report = await finishErasures(readModelStore, deadline);
    if (report.finished + report.unfinished + report.failed > 0) {
      logger.info('history rewrites of erased users', report);
    }
    count('HistoryRewritesFinished', report.finished);
    // Zero too: "nothing left" must differ from "the eraser did not run".
    metrics.addMetric('HistoryRewritesLeft', MetricUnit.Count, report.unfinished);
    count('HistoryRewriteFailures', report.failed);
    return report;
  });
