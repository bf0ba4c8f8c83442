import { createDocumentClient } from '@users/shared/dynamo';
import { createTables, deleteTables, type LogicalTable } from '../../scripts/local-stack/tables';

/** The DynamoDB Local that jest's integration global setup started. */
export const testEndpoint = (): string => {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run integration tests through jest');
  return endpoint;
};

export const testDocumentClient = () => createDocumentClient({ endpoint: testEndpoint() });

/** Tables under fresh names (from the deployed definitions), so test files never share one. */
export const createTestTables = <T extends LogicalTable>(logicalIds: readonly T[]) =>
  createTables(testEndpoint(), logicalIds);

export const deleteTestTables = (names: Record<string, string>) =>
  deleteTables(testEndpoint(), names);
