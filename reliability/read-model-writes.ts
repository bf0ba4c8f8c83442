import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * Whether DynamoDB Local still answers writes of these users' detail items: a conditional update
 * that can never pass (nothing is written) must be refused within seconds. After a SIGKILL,
 * DynamoDB Local on disk can leave items updated in place unanswerable (docs/guarantees.md, Not
 * promised); then no projector could converge, and the drill says so instead of blaming ours.
 */
export const detailWritesAnswered = async (
  endpoint: string,
  table: string,
  userIds: string[],
): Promise<boolean> => {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
    }),
  );
  try {
    for (const userId of userIds) {
      const refused = await client
        .send(
          new UpdateCommand({
            TableName: table,
            Key: { UserID: userId },
            UpdateExpression: 'SET Probe = :probe',
            ConditionExpression: 'attribute_exists(UserID) AND attribute_not_exists(UserID)',
            ExpressionAttributeValues: { ':probe': true },
          }),
        )
        .catch((error: Error) => error.name === 'ConditionalCheckFailedException');
      if (refused !== true) return false;
    }
    return true;
  } finally {
    client.destroy();
  }
};
