import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { DynamoStatsStore } from '../infrastructure/dynamo-stats-store';

/** Wiring shared by the stats functions: the service's own tables, nothing of the others. */
export const statsStore = new DynamoStatsStore(documentClientFromEnv(), {
  figures: requiredEnv('STATS_TABLE'),
  countedEvents: requiredEnv('COUNTED_EVENTS_TABLE'),
});
