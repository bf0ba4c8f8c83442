import {
  INTEGRATION_SCHEMA_VERSION,
  type IntegrationEvent,
  type Subscription,
} from '@users/events';
import { dayOf, figuresOf } from '../domain/daily-figures';
import type { StatsStore } from './ports';

/**
 * What the stats service reads: the types that change a day's figures, in the schema version its
 * reader checks. Its rule on the bus selects exactly these (serverless/functions.yml, tested); a
 * new version or type is taken on by a release of this service, never by accident.
 */
export const STATS_SUBSCRIPTION = {
  types: [
    'user.registered',
    'user.balance-changed',
    'user.deleted',
    'user.erased',
    'user.erasure-requested',
    'user.erasure-cancelled',
  ],
  schemaVersions: [INTEGRATION_SCHEMA_VERSION],
} as const satisfies Subscription;

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
