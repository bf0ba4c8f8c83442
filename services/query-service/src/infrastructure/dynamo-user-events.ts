import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredEvent, UserEventReader } from '../application/ports';

const HISTORY_PAGE = 1000;

/** One user's events, read from the event store table: read-only, one Query. */
export class DynamoUserEvents implements UserEventReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly eventsTable: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** The same reads, given up once `signal` aborts (a follower's deadline). */
  until(signal: AbortSignal) {
    return new DynamoUserEvents(this.client, this.eventsTable, signal);
  }

  /**
   * The user's whole history, a page at a time: until DynamoDB says there is no more, not until a
   * page comes back short (a page stops at 1 MB of items, however many were asked for).
   */
  async history(userId: string): Promise<StoredEvent[]> {
    const history: StoredEvent[] = [];
    let after: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.eventsTable,
          KeyConditionExpression: 'AggregateID = :id',
          ExpressionAttributeValues: { ':id': userId },
          Limit: HISTORY_PAGE,
          ConsistentRead: true,
          ExclusiveStartKey: after,
        }),
        this.signal && { abortSignal: this.signal },
      );
      history.push(...(page.Items ?? []));
      after = page.LastEvaluatedKey;
    } while (after);
    return history;
  }

  /** The user's newest item (consistent), undefined for a user the store has never held. */
  async newest(userId: string): Promise<StoredEvent | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.eventsTable,
        KeyConditionExpression: 'AggregateID = :id',
        ExpressionAttributeValues: { ':id': userId },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
      this.signal && { abortSignal: this.signal },
    );
    return Items[0];
  }

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
      this.signal && { abortSignal: this.signal },
    );
    return Items;
  }
}
