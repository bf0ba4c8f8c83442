import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { DynamoErasureReceipts } from '../infrastructure/dynamo-erasure-receipts';
import { DynamoProjectionRegistry } from '../infrastructure/dynamo-projection-registry';
import {
  DynamoReadModelStore,
  type ReadModelTables,
} from '../infrastructure/dynamo-read-model-store';
import {
  FIRST_PROJECTION_VERSION,
  type ProjectionVersion,
  versionedTableName,
} from '../projections';

/**
 * Wiring shared by the query-service functions: the read-model tables from the environment. Each
 * projection version, the console's feed and the registry have a client of their own: a version
 * whose tables are throttled or stalled must not use up the connections or the SDK's retry quota
 * of the live one.
 */

/** The first projection version's tables; a later version's add -v<n> to their names. */
export const firstVersionTables: ReadModelTables = {
  detail: requiredEnv('USER_DETAIL_TABLE'),
  history: requiredEnv('USER_HISTORY_TABLE'),
  listIndex: requiredEnv('USER_LIST_INDEX'),
  pendingErasuresIndex: process.env.USER_PENDING_ERASURES_INDEX || undefined,
};

export const projectionRegistry = new DynamoProjectionRegistry(
  documentClientFromEnv(),
  requiredEnv('PROJECTIONS_TABLE'),
);

/** One projection version's tables (the console's feed is not versioned: see below). */
export const tablesOf = (version: ProjectionVersion): ReadModelTables => ({
  ...firstVersionTables,
  detail: versionedTableName(firstVersionTables.detail, version),
  history: versionedTableName(firstVersionTables.history, version),
  projectionVersion: version,
});

const stores = new Map<ProjectionVersion, DynamoReadModelStore>();

export const readModelsOf = (version: ProjectionVersion) => {
  let store = stores.get(version);
  if (!store) {
    store = new DynamoReadModelStore(documentClientFromEnv(), tablesOf(version));
    stores.set(version, store);
  }
  return store;
};

/** What a query reads: the live version's read models, looked up on every request. */
export const liveReadModels = async () => readModelsOf(await projectionRegistry.liveVersion());

/**
 * The console's feed of recent events: an hour of what happened, the same in every version, so
 * one table that only the live version's projector writes.
 */
export const feedStore = new DynamoReadModelStore(documentClientFromEnv(), {
  ...firstVersionTables,
  recentEvents: process.env.RECENT_EVENTS_TABLE || undefined,
  projectionVersion: FIRST_PROJECTION_VERSION,
});

/**
 * Where the projector and the history eraser record the steps of each erasure on its receipt
 * (the command service's table, its name or ARN); none where the environment names no table
 * (the tests, the fault drills), and then nothing is recorded.
 */
const receiptsTable = process.env.ERASURE_RECEIPTS_TABLE || undefined;
export const erasureReceipts = receiptsTable
  ? new DynamoErasureReceipts(documentClientFromEnv(), receiptsTable)
  : undefined;
