import { annotateCorrelation, count, recordLag } from '@users/shared/observability';
import type { PublisherObserver } from './publisher';

/**
 * What the publisher counts (docs/operations.md): integration events put on the bus, records it
 * reported failed (delivered again, then to its failure queue), and the publish lag of each
 * event, from when it occurred to when the bus took it. The batch's correlation ids go on its
 * trace.
 */
export const publisherMetrics: PublisherObserver = {
  published: ({ published, failed }) => {
    count('EventsPublished', published.length);
    count('PublishFailures', failed);
    recordLag(
      'PublishLag',
      published.map(({ detail }) => detail.occurred_at),
    );
    annotateCorrelation(published.map(({ detail }) => detail.correlation_id));
  },
};
