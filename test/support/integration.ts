import { KMSClient } from '@aws-sdk/client-kms';
import { KmsDataKeys } from '@users/shared';
import { createDocumentClient } from '@users/shared/dynamo';
import { LOCAL_KMS_KEY_ID } from '../../scripts/local-stack/local-kms';
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

/** The local stand-in for KMS that the global setup started. */
export const testKmsClient = () =>
  new KMSClient({
    region: 'us-east-1',
    endpoint: process.env.TEST_KMS_ENDPOINT,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** Data keys in `table`, wrapped by the local stand-in for KMS. */
export const testDataKeys = (table: string, client = testDocumentClient()) =>
  new KmsDataKeys(client, testKmsClient(), { table, kmsKeyId: LOCAL_KMS_KEY_ID });
