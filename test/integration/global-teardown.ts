import type { DynamoDbLocal } from '../../scripts/local-stack/dynamodb-local';
import { stopProcessGroup } from '../../scripts/local-stack/processes';

export default async () => {
  const dynamodb = (globalThis as Record<string, unknown>).integrationDynamoDb as
    | DynamoDbLocal
    | undefined;
  if (dynamodb) await stopProcessGroup(dynamodb.process, 'SIGKILL');
};
