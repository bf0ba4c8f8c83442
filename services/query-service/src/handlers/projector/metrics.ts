import { annotateCorrelation, count, recordLag } from '@users/shared/observability';
import type { ProjectorObserver } from './projector';

/**
 * What the projector counts (docs/operations.md): events applied (an event delivered again counts
 * again), batches with a failure, and the projection lag of each event applied, from when it
 * occurred to now: what a reader waits at most to see it. The batch's correlation ids go on its
 * trace.
 */
export const projectorMetrics: ProjectorObserver = {
  projected: ({ applied, received, failed }) => {
    count('EventsApplied', applied.length);
    count('BatchFailures', failed > 0 ? 1 : 0);
    recordLag(
      'ProjectionLag',
      applied.map(({ occurredAt }) => occurredAt),
    );
    annotateCorrelation(received.map(({ correlationId }) => correlationId));
  },
};
