import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { createPageTokens } from '../http/page-token';
import { DynamoReadModels } from '../infrastructure/dynamo-read-models';

/** Wiring shared by every query-service function: tables from the environment. */
export const readModels = new DynamoReadModels(documentClientFromEnv(), {
  detail: requiredEnv('USER_DETAIL_TABLE'),
  history: requiredEnv('USER_HISTORY_TABLE'),
  listIndex: requiredEnv('USER_LIST_INDEX'),
});

export const pageTokens = createPageTokens(requiredEnv('PAGE_TOKEN_SECRET'));
