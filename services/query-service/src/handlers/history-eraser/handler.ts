import middy from '@middy/core';
import { observeInvocation } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import { readModelStore } from '../dependencies';
import { createHistoryEraser } from './history-eraser';

/** Runs on a schedule: finishes erased users' history rewrites that the projector left. */
export const handler = middy<unknown, unknown, Error, Context>()
  .use(observeInvocation())
  .handler(createHistoryEraser(readModelStore));
