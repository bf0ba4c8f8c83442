import { startDynamoDbLocal } from '../../scripts/local-stack/dynamodb-local';
import { startLocalAws } from '../../scripts/local-stack/local-aws';

/**
 * Integration tests get their own DynamoDB Local, on a port apart from `npm start`'s 8000, and
 * the local stand-in for KMS (data keys).
 */
export default async () => {
  const dynamodb = await startDynamoDbLocal(Number(process.env.TEST_DYNAMODB_PORT ?? 8100));
  const localAws = await startLocalAws(Number(process.env.TEST_LOCAL_AWS_PORT ?? 8104));
  process.env.TEST_DYNAMODB_ENDPOINT = dynamodb.endpoint;
  process.env.TEST_KMS_ENDPOINT = localAws.endpoint;
  Object.assign(globalThis, { integrationDynamoDb: dynamodb, integrationLocalAws: localAws });
};
