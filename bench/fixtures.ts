import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { encodeEvent, type RecordedEvent } from '@users/shared';
import { SNAPSHOT_VERSION } from '../services/command-service/src/infrastructure/dynamo-event-store';

/** Event items as the command service writes them (event, metadata and the state after it). */
export const userHistoryItems = (userId: string, length: number) =>
  Array.from({ length }, (_, index) => {
    const version = index + 1;
    const event = {
      ...(version === 1
        ? { type: 'USER_CREATED', payload: { name: 'Bench User', email: 'bench@example.com' } }
        : { type: 'USER_BALANCE', payload: { delta: 1 } }),
      userId: userId,
      version,
      eventId: randomUUID(),
      occurredAt: new Date(Date.UTC(2026, 0, 1) + version * 1000).toISOString(),
      correlationId: 'bench',
      schemaVersion: 1,
    } as RecordedEvent;
    return {
      ...encodeEvent(event),
      State: {
        status: 'active',
        name: 'Bench User',
        email: 'bench@example.com',
        balance: version - 1,
      },
      StateVersion: SNAPSHOT_VERSION,
    };
  });

/** BatchWriteItem in chunks of 25 with a few in flight, retrying what DynamoDB leaves unprocessed. */
export const writeItems = async (
  client: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
  inFlight = 8,
) => {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < chunks.length) {
        let requests = (chunks[next++] as Record<string, unknown>[]).map((Item) => ({
          PutRequest: { Item },
        }));
        while (requests.length > 0) {
          const { UnprocessedItems } = await client.send(
            new BatchWriteCommand({ RequestItems: { [table]: requests } }),
          );
          requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }
    }),
  );
};
