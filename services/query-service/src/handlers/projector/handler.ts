import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { readModels } from '../read-models';
import { withFaults } from './fault-injection';
import { createProjector } from './projector';

// serverless-offline sets IS_OFFLINE; a deployed Lambda never has it, so faults stay local.
const offline = Boolean(process.env.IS_OFFLINE);
const faultFile = offline ? process.env.PROJECTOR_FAULT_FILE : undefined;
const project = createProjector(faultFile ? withFaults(readModels, faultFile) : readModels);

export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  const response = await project(event, context);
  // serverless-offline-dynamodb-streams ignores partial batch responses and would drop the
  // failed records; failing the whole batch makes it redeliver (applied events are skipped).
  if (offline && response.batchItemFailures.length > 0) {
    throw new Error(`${response.batchItemFailures.length} record(s) not projected`);
  }
  return response;
};
