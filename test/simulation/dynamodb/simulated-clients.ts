import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from './definitions';
import { type Around, simulatedRequestHandler } from './request-handler';
import { SimulatedDynamoDB } from './simulated-dynamodb';

/**
 * An emulator and the real SDK clients wired to it, as the simulation builds them: the
 * document client marshals as the project's own does. `clock.now` is the emulator's time.
 */
export const simulatedClients = (
  tables: TableDefinition[],
  { around, maxAttempts }: { around?: Around; maxAttempts?: number } = {},
) => {
  const clock = { now: 1_700_000_000_000 };
  const emulator = new SimulatedDynamoDB(tables, { now: () => clock.now });
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://simulated',
    credentials: { accessKeyId: 'simulated', secretAccessKey: 'simulated' },
    requestHandler: simulatedRequestHandler(emulator, around),
    ...(maxAttempts && { maxAttempts }),
  });
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { clock, emulator, client, documents };
};
