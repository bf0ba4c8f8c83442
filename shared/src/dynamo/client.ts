import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traceClient } from '../observability';
import { FUNCTION_CLIENT_OPTIONS } from './client-options';

export type DynamoConfig = {
  /** Set only when talking to DynamoDB Local; AWS uses the regional endpoint. */
  endpoint?: string;
  region?: string;
  /** Timeouts and attempts (a function's: FUNCTION_CLIENT_OPTIONS); the SDK's defaults if not set. */
  clientOptions?: Partial<typeof FUNCTION_CLIENT_OPTIONS>;
};

/** Dummy credentials are only ever used against DynamoDB Local, which ignores them. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export const createDocumentClient = (
  { endpoint, region, clientOptions }: DynamoConfig = {},
  wrap: (client: DynamoDBClient) => DynamoDBClient = (client) => client,
) =>
  DynamoDBDocumentClient.from(
    wrap(
      new DynamoDBClient({
        ...clientOptions,
        region: region ?? process.env.AWS_REGION ?? 'us-east-1',
        ...(endpoint ? { endpoint, credentials: LOCAL_CREDENTIALS } : {}),
      }),
    ),
    { marshallOptions: { removeUndefinedValues: true } },
  );

/**
 * The Lambda-side client: DynamoDB Local when DYNAMODB_ENDPOINT is set (offline), AWS otherwise;
 * every call a subsegment of the function's trace.
 */
export const documentClientFromEnv = () =>
  createDocumentClient(
    { endpoint: process.env.DYNAMODB_ENDPOINT, clientOptions: FUNCTION_CLIENT_OPTIONS },
    (client) => traceClient(client),
  );
