import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '@users/shared';
import { readDeliveredEvent } from '@users/shared/integration';
import {
  annotateCorrelation,
  count,
  observeInvocation,
  recordLag,
} from '@users/shared/observability';
import { recordEvent } from '../../application/record-event';
import { statsStore } from '../dependencies';

/**
 * The rule on the users' bus delivers each integration event here. An event that does not match
 * the contract, or a failure, throws: EventBridge and Lambda retry it, then it goes to the
 * failure queue; nothing is dropped quietly.
 */
export const handler = middy()
  .use(observeInvocation())
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (delivered: unknown) => {
    const event = readDeliveredEvent(delivered);
    logger.appendKeys({ correlation_id: event.detail.correlation_id });
    annotateCorrelation([event.detail.correlation_id]);
    const counted = await recordEvent(statsStore, event);
    // Delivery lag: from when the event occurred to when this subscriber has counted it; not for a
    // duplicate or an archive replay, whose age says nothing about delivery (and would page).
    const replayed = typeof (delivered as Record<string, unknown>)['replay-name'] === 'string';
    if (counted && !replayed) recordLag('DeliveryLag', [event.detail.occurred_at]);
    count(counted ? 'EventsCounted' : 'DuplicatesIgnored');
    logger.debug('integration event recorded', { eventId: event.detail.event_id, counted });
  });
