import type { DynamoDbLocal } from '../../scripts/local-stack/dynamodb-local';
import type { LocalAws } from '../../scripts/local-stack/local-aws';
import { stopProcessGroup } from '../../scripts/local-stack/processes';

export default async () => {
  const { integrationDynamoDb, integrationLocalAws } = globalThis as {
    integrationDynamoDb?: DynamoDbLocal;
    integrationLocalAws?: LocalAws;
  };
  await integrationLocalAws?.stop();
  if (integrationDynamoDb) await stopProcessGroup(integrationDynamoDb.process, 'SIGKILL');
};
