import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '@users/shared';
import { observeInvocation } from '@users/shared/observability';
import { statsStore } from '../dependencies';
import { createRecorder } from './recorder';

/** The rule on the users' bus delivers each integration event here. */
export const handler = middy()
  .use(observeInvocation())
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(createRecorder(statsStore));
