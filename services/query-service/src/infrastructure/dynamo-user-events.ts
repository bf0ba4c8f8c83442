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

  /** The user's whole history, a page at a time. */
  async history(userId: string): Promise<StoredEvent[]> {
    const history: StoredEvent[] = [];
    for (;;) {
      const page = await this.eventsOf(userId, history.length + 1, HISTORY_PAGE);
      history.push(...page);
      if (page.length < HISTORY_PAGE) return history;
    }
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
