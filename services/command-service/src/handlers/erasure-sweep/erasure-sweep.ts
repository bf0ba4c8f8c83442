import { logger } from '@users/shared';
import { count, MetricUnit, metrics } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import type { CommandDependencies } from '../../application/execute-command';
import type { PendingErasures } from '../../application/ports';
import { sweepOverdueErasures } from '../../application/sweep-overdue-erasures';

/** Time kept back from the function's timeout for the report. */
const SAFETY_MS = 5000;

/**
 * Runs on a schedule: carries out the pending erasures whose schedule's firing was lost
 * (sweepOverdueErasures), and counts what it did (docs/operations.md#erasure-sweep). Ids and
 * counts only: nothing personal.
 */
export const createErasureSweep =
  (deps: CommandDependencies, pending: PendingErasures) =>
  async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
    const report = await sweepOverdueErasures(deps, pending, { deadline });
    const overdue = report.erased + report.alreadyErased + report.notPending + report.failed;
    if (overdue + report.left > 0 || !report.complete) logger.info('erasure sweep', report);
    count('OverdueErasuresCarriedOut', report.erased);
    count('OverdueErasureFailures', report.failed);
    // Zero too: "nothing left" must differ from "the sweep did not run". A run that did not read
    // the whole table may have left more than it counted.
    metrics.addMetric('OverdueErasuresLeft', MetricUnit.Count, report.left);
    metrics.addMetric('ErasureSweepIncomplete', MetricUnit.Count, report.complete ? 0 : 1);
    return report;
  };
