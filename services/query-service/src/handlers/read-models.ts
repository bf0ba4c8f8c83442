import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { createPageTokens } from '../http/page-token';
import { DynamoReadModels } from '../infrastructure/dynamo-read-models';

/** Wiring shared by every query-service function: tables from the environment. */
export const readModels = new DynamoReadModels(documentClientFromEnv(), {
  summary: requiredEnv('USER_SUMMARY_TABLE'),
  detail: requiredEnv('USER_DETAIL_TABLE'),
  history: requiredEnv('USER_HISTORY_TABLE'),
});

export const pageTokens = createPageTokens(requiredEnv('PAGE_TOKEN_SECRET'));
