import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  Page,
  PageKey,
  ReadModelQueries,
  ReadModelRestorer,
  ReadModelStore,
} from '../application/ports';
import {
  eraseHistoryEntry,
  type HistoryEntry,
  type RecentEvent,
  type UserDetail,
  type UserReadModels,
  type UserSummary,
} from '../projections';
import {
  fromDetailItem,
  fromFeedItem,
  fromHistoryItem,
  fromListIndexItem,
  toDetailTableItem,
  toFeedItem,
  toHistoryItem,
} from './read-model-items';

export type ReadModelTables = {
  detail: string;
  history: string;
  listIndex: string;
  /** The console's feed, in stages that have the console. */
  recentEvents?: string;
};

/** One feed partition: the console reads the newest hour of events across users in one Query. */
const FEED = 'recent';
const FEED_TTL_SECONDS = 3600;

type Condition = {
  ConditionExpression: string;
  ExpressionAttributeValues?: Record<string, unknown>;
};

const atVersion = (version: number): Condition =>
  version === 0
    ? { ConditionExpression: 'attribute_not_exists(UserID)' }
    : {
        ConditionExpression: 'Version = :version',
        ExpressionAttributeValues: { ':version': version },
      };

/** A rebuild also rewrites a detail at its own version, so that it repairs damaged content. */
const notNewerThan = (version: number): Condition => ({
  ConditionExpression: 'attribute_not_exists(UserID) OR Version <= :version',
  ExpressionAttributeValues: { ':version': version },
});

const BATCH_WRITE_LIMIT = 25;

/**
 * Every write here is a single-item write: the detail item is each user's checkpoint and carries
 * its own list entry (a sparse index), so nothing can disagree with it and no transaction is
 * needed.
 */
export class DynamoReadModelStore implements ReadModelStore, ReadModelQueries, ReadModelRestorer {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tables: ReadModelTables,
  ) {}

  async getDetail(userId: string): Promise<UserDetail | null> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.detail,
        Key: { UserID: userId },
        ConsistentRead: true,
      }),
    );
    return Item ? fromDetailItem(Item) : null;
  }

  async getHistoryEntry(userId: string, version: number): Promise<HistoryEntry | null> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.history,
        Key: { UserID: userId, Sequence: version },
      }),
    );
    return Item ? fromHistoryItem(Item) : null;
  }

  async putHistoryEntry(entry: HistoryEntry): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tables.history, Item: toHistoryItem(entry) }),
    );
  }

  advance(detail: UserDetail, previousVersion: number): Promise<boolean> {
    return this.putDetail(detail, atVersion(previousVersion));
  }

  async addToFeed(event: RecentEvent): Promise<void> {
    if (!this.tables.recentEvents) return;
    await this.client.send(
      new PutCommand({
        TableName: this.tables.recentEvents,
        Item: toFeedItem(FEED, event, FEED_TTL_SECONDS),
      }),
    );
  }

  async recentEvents(limit: number): Promise<RecentEvent[]> {
    if (!this.tables.recentEvents) return [];
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.recentEvents,
        KeyConditionExpression: 'Feed = :feed',
        ExpressionAttributeValues: { ':feed': FEED },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map(fromFeedItem);
  }

  async eraseHistory(userId: string): Promise<void> {
    const entries: HistoryEntry[] = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.tables.history,
        KeyConditionExpression: 'UserID = :id',
        ExpressionAttributeValues: { ':id': userId },
        ConsistentRead: true,
      },
    )) {
      entries.push(...(page.Items ?? []).map(fromHistoryItem));
    }
    await this.putHistory(entries.map(eraseHistoryEntry));
  }

  async restoreUser({ detail, history }: UserReadModels): Promise<void> {
    await this.putHistory(history);
    await this.putDetail(detail, notNewerThan(detail.version));
    // Entries read before an erasure that the live projector applied meanwhile: erase them again.
    if (!detail.erased && (await this.getDetail(detail.userId))?.erased) {
      await this.eraseHistory(detail.userId);
    }
  }

  private async putHistory(entries: HistoryEntry[]) {
    for (let start = 0; start < entries.length; start += BATCH_WRITE_LIMIT) {
      await this.putAll(
        this.tables.history,
        entries.slice(start, start + BATCH_WRITE_LIMIT).map(toHistoryItem),
      );
    }
  }

  async listSummaries(limit: number, after?: PageKey): Promise<Page<UserSummary>> {
    const { Items = [] } = await this.client.send(
      new ScanCommand({
        TableName: this.tables.detail,
        IndexName: this.tables.listIndex,
        Limit: limit + 1,
        ExclusiveStartKey: after,
      }),
    );
    return pageOf(Items.map(fromListIndexItem), limit, (last) => ({
      UserID: last.userId,
      ListedUserID: last.userId,
    }));
  }

  async listHistory(userId: string, limit: number, after?: PageKey): Promise<Page<HistoryEntry>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.history,
        KeyConditionExpression: 'UserID = :id',
        ExpressionAttributeValues: { ':id': userId },
        Limit: limit + 1,
        ExclusiveStartKey: after,
      }),
    );
    return pageOf(Items.map(fromHistoryItem), limit, (last) => ({
      UserID: last.userId,
      Sequence: last.version,
    }));
  }

  /** True when written; false when the condition says another writer got there first. */
  private async putDetail(detail: UserDetail, condition: Condition): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.detail,
          Item: toDetailTableItem(detail),
          ...condition,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** BatchWriteItem, retrying whatever DynamoDB leaves unprocessed under load. */
  private async putAll(table: string, items: Record<string, unknown>[]) {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      }
      const { UnprocessedItems } = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [table]: requests } }),
      );
      requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}

/** Reads one item more than asked, so `next` is only set when another page really exists. */
const pageOf = <T>(items: T[], limit: number, keyOf: (last: T) => PageKey): Page<T> => {
  if (items.length <= limit) return { items };
  const page = items.slice(0, limit);
  return { items: page, next: keyOf(page[page.length - 1] as T) };
};
