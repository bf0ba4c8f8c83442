import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredEvent, UserEventReader } from '../application/ports';

/** One user's events, read from the event store table: read-only, one Query. */
export class DynamoUserEvents implements UserEventReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly eventsTable: string,
  ) {}

  async eventsOf(userId: string, fromVersion: number, limit: number): Promise<StoredEvent[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.eventsTable,
        KeyConditionExpression: 'AggregateID = :id AND #sequence >= :from',
        ExpressionAttributeNames: { '#sequence': 'Sequence' },
        ExpressionAttributeValues: { ':id': userId, ':from': fromVersion },
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return Items;
  }
}
