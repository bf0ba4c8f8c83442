import { startDynamoDbLocal } from '../../scripts/local-stack/dynamodb-local';

/** Integration tests get their own DynamoDB Local, on a port apart from `npm start`'s 8000. */
export default async () => {
  const port = Number(process.env.TEST_DYNAMODB_PORT ?? 8100);
  const dynamodb = await startDynamoDbLocal(port);
  process.env.TEST_DYNAMODB_ENDPOINT = dynamodb.endpoint;
  (globalThis as Record<string, unknown>).integrationDynamoDb = dynamodb;
};
