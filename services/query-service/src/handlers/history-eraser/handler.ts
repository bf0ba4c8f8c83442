import middy from '@middy/core';
import { observeInvocation } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import { erasureReceipts, projectionRegistry, readModelsOf } from '../dependencies';
import { createHistoryEraser } from './history-eraser';

/**
 * Runs on a schedule: finishes erased users' history rewrites that the projector left, in every
 * projection version the projector writes, recording on each erasure's receipt what it finished.
 */
export const handler = middy<unknown, unknown, Error, Context>()
  .use(observeInvocation())
  .handler(
    createHistoryEraser(
      projectionRegistry,
      (version, signal) => (signal ? readModelsOf(version).until(signal) : readModelsOf(version)),
      erasureReceipts,
    ),
  );
