import { logger } from '@users/shared';
import { readDeliveredEvent } from '@users/shared/integration';
import { annotateCorrelation, count, recordLag } from '@users/shared/observability';
import type { StatsStore } from '../../application/ports';
import { recordEvent } from '../../application/record-event';

/**
 * Counts one delivered integration event. An event that does not match the contract, or a
 * failure, throws: EventBridge and Lambda retry it, then it goes to the failure queue; nothing is
 * dropped quietly. Counts what it counted, the duplicates it kept out, and the delivery lag.
 */
export const createRecorder = (store: StatsStore) => async (delivered: unknown) => {
  const event = readDeliveredEvent(delivered);
  logger.appendKeys({ correlation_id: event.detail.correlation_id });
  annotateCorrelation([event.detail.correlation_id]);
  const counted = await recordEvent(store, event);
  // Delivery lag: from when the event occurred to when this subscriber has counted it; not for a
  // duplicate or an archive replay, whose age says nothing about delivery (and would page).
  const replayed = typeof (delivered as Record<string, unknown>)['replay-name'] === 'string';
  if (counted && !replayed) recordLag('DeliveryLag', [event.detail.occurred_at]);
  count(counted ? 'EventsCounted' : 'DuplicatesIgnored');
  logger.debug('integration event recorded', { eventId: event.detail.event_id, counted });
};
