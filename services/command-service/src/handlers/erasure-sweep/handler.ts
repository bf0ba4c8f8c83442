import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { observeInvocation } from '@users/shared/observability';
import type { Context } from 'aws-lambda';
import { DynamoPendingErasures } from '../../infrastructure/dynamo-pending-erasures';
import { eventStoreFromEnv } from '../../infrastructure/event-store-from-env';
import { createErasureSweep } from './erasure-sweep';

const client = documentClientFromEnv();
const store = eventStoreFromEnv(client);

/** Runs every hour: carries out each pending erasure overdue because its firing was lost. */
export const handler = middy<unknown, unknown, Error, Context>()
  .use(observeInvocation())
  .handler(
    createErasureSweep(
      { store, now: () => new Date(), newEventId: randomUUID },
      new DynamoPendingErasures(client, requiredEnv('PENDING_ERASURES_TABLE')),
    ),
  );
