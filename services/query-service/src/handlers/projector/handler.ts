import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { readModels } from '../read-models';
import { createProjector } from './projector';

const project = createProjector(readModels);

export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  const response = await project(event, context);
  // serverless-offline-dynamodb-streams ignores partial batch responses and would drop the
  // failed records; failing the whole batch makes it redeliver (applied events are skipped).
  if (process.env.IS_OFFLINE && response.batchItemFailures.length > 0) {
    throw new Error(`${response.batchItemFailures.length} record(s) not projected`);
  }
  return response;
};
