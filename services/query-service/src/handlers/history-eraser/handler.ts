import { logger } from '@users/shared';
import type { Context } from 'aws-lambda';
import { finishErasures } from '../../application/finish-erasures';
import { readModelStore } from '../dependencies';

/** Time kept back from the function's timeout: the last rewrite step under a throttled table. */
const SAFETY_MS = 5000;

/** Runs on a schedule: finishes erased users' history rewrites that the projector left. */
export const handler = async (_event: unknown, context: Context) => {
  const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
  const report = await finishErasures(readModelStore, deadline);
  if (report.finished + report.unfinished + report.failed > 0) {
    logger.info('history rewrites of erased users', report);
  }
  return report;
};
