import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type DynamoConfig = {
  /** Set only when talking to DynamoDB Local; AWS uses the regional endpoint. */
  endpoint?: string;
  region?: string;
};

/** Dummy credentials are only ever used against DynamoDB Local, which ignores them. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export const createDocumentClient = ({ endpoint, region }: DynamoConfig = {}) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(endpoint ? { endpoint, credentials: LOCAL_CREDENTIALS } : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );

/** The Lambda-side client: DynamoDB Local when DYNAMODB_ENDPOINT is set (offline), AWS otherwise. */
export const documentClientFromEnv = () =>
  createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT });

export const requiredEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
};
