import { DynamoDB } from '@aws-sdk/client-dynamodb';

/**
 * A peer's client on DynamoDB Local, with the SDK's defaults as its users would start: the
 * aggregated `DynamoDB` class, which Equinox calls by method (`getItem`, `updateItem`) and Castore
 * takes as the `DynamoDBClient` it extends.
 */
export const peerClient = (endpoint: string) =>
  new DynamoDB({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
