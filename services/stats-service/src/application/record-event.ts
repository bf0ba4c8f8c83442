import type { IntegrationEvent } from '@users/shared/integration';
import { dayOf, figuresOf } from '../domain/daily-figures';
import type { StatsStore } from './ports';

/**
 * Counts one delivered integration event exactly once, whatever duplicates EventBridge (or a
 * replay) delivers and in whatever order: additions commute, and the event id keeps a second
 * delivery out. Returns whether this delivery counted.
 */
export const recordEvent = (store: StatsStore, event: IntegrationEvent) => {
  const figures = figuresOf(event);
  if (Object.keys(figures).length === 0) return Promise.resolve(false);
  return store.addOnce(event.detail.event_id, dayOf(event), figures);
};
