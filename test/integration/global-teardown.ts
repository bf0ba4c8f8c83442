import type { DynamoDbLocal } from '../support/dynamodb-local';
import { stopProcessGroup } from '../support/processes';

export default async () => {
  const dynamodb = (globalThis as Record<string, unknown>).integrationDynamoDb as
    | DynamoDbLocal
    | undefined;
  if (dynamodb) await stopProcessGroup(dynamodb.process, 'SIGKILL');
};
