import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { documentClientFromEnv } from '@users/shared/dynamo';
import { observeInvocation } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import { eventStoreFromEnv } from '../../infrastructure/event-store-from-env';
import { createEraser } from './scheduled-erasure';

const store = eventStoreFromEnv(documentClientFromEnv());

/** Invoked by EventBridge Scheduler at the end of an erasure's grace period. */
export const handler = middy<unknown, unknown, Error, Context>()
  .use(observeInvocation<unknown, unknown>())
  .handler(
    createEraser(
      { store, now: () => new Date(), newEventId: randomUUID },
      // The local stack's scheduler, whose clock tests make pass (scripts/local-stack).
      { trustScheduledTime: process.env.LOCAL_SCHEDULER_CLOCK === 'true' },
    ),
  );
