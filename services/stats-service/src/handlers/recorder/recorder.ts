import { isSubscribed, readDeliveredEvent } from '@users/events';
import { logger } from '@users/shared';
import { annotateCorrelation, count, recordLag } from '@users/shared/observability';
import type { StatsStore } from '../../application/ports';
import { recordEvent, STATS_SUBSCRIPTION } from '../../application/record-event';

/** What may be logged of a delivery left unread: its type and version, nothing of its user. */
const outlineOf = (delivered: unknown) => {
  const { 'detail-type': type, detail } = (delivered ?? {}) as {
    'detail-type'?: unknown;
    detail?: { schema_version?: unknown } | null;
  };
  const version = typeof detail === 'object' ? detail?.schema_version : undefined;
  return {
    detailType: typeof type === 'string' ? type.slice(0, 64) : typeof type,
    schemaVersion: typeof version === 'number' ? version : typeof version,
  };
};

/**
 * Counts one delivered integration event. One outside its subscription (a newer schema version
 * or type, should a rule ever select more) passes: counted as ignored, never thrown, since no
 * retry makes this release read it. One inside it that breaks the contract, or a failure, throws:
 * EventBridge and Lambda retry it, then it goes to the failure queue; nothing it should count is
 * dropped quietly. Counts what it counted, the duplicates it kept out, and the delivery lag.
 */
export const createRecorder = (store: StatsStore) => async (delivered: unknown) => {
  if (!isSubscribed(delivered, STATS_SUBSCRIPTION)) {
    count('EventsIgnored');
    logger.warn('integration event outside the subscription, ignored', outlineOf(delivered));
    return;
  }
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
