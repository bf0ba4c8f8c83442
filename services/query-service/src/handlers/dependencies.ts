import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { DynamoReadModelStore } from '../infrastructure/dynamo-read-model-store';

/** Wiring shared by the query-service functions: the read-model tables from the environment. */
export const readModelStore = new DynamoReadModelStore(documentClientFromEnv(), {
  detail: requiredEnv('USER_DETAIL_TABLE'),
  history: requiredEnv('USER_HISTORY_TABLE'),
  listIndex: requiredEnv('USER_LIST_INDEX'),
  pendingErasuresIndex: process.env.USER_PENDING_ERASURES_INDEX || undefined,
  recentEvents: process.env.RECENT_EVENTS_TABLE || undefined,
});
