import type {
  INTEGRATION_SOURCE,
  IntegrationEvent,
  IntegrationEventType,
} from '@users/shared/integration';

/**
 * An integration event as EventBridge hands it to a subscriber's function (or an SQS queue
 * subscribed to the bus): the bus's envelope around the detail the users service published.
 */
export type DeliveredEvent<T extends IntegrationEventType = IntegrationEventType> = {
  [K in T]: {
    version: '0';
    /** EventBridge's own id: an archive replay gets a new one. Deduplicate on `detail.event_id`. */
    id: string;
    'detail-type': K;
    source: typeof INTEGRATION_SOURCE;
    account: string;
    time: string;
    region: string;
    resources: string[];
    detail: Extract<IntegrationEvent, { type: K }>['detail'];
  };
}[T];
