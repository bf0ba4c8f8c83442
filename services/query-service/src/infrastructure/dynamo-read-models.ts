import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Page, PageKey, ReadModelQueries, ReadModelStore } from '../application/ports';
import type { HistoryEntry, UserDetail, UserSummary } from '../projections';
import {
  fromDetailItem,
  fromHistoryItem,
  fromSummaryItem,
  toDetailItem,
  toHistoryItem,
  toSummaryItem,
} from './items';

export type ReadModelTables = { summary: string; detail: string; history: string };

const isOlderThan = 'attribute_not_exists(UserID) OR Version < :version';

export class DynamoReadModels implements ReadModelStore, ReadModelQueries {
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

  async getHistoryEntry(userId: string, sequence: number): Promise<HistoryEntry | null> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.history,
        Key: { UserID: userId, Sequence: sequence },
      }),
    );
    return Item ? fromHistoryItem(Item) : null;
  }

  async putHistoryEntry(entry: HistoryEntry): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tables.history, Item: toHistoryItem(entry) }),
    );
  }

  async putSummary(userId: string, summary: UserSummary | null, version: number): Promise<void> {
    const condition = {
      ConditionExpression: isOlderThan,
      ExpressionAttributeValues: { ':version': version },
    };
    const write = summary
      ? this.client.send(
          new PutCommand({
            TableName: this.tables.summary,
            Item: toSummaryItem(summary),
            ...condition,
          }),
        )
      : this.client.send(
          new DeleteCommand({
            TableName: this.tables.summary,
            Key: { UserID: userId },
            ...condition,
          }),
        );
    await ignoreConditionFailure(write);
  }

  async putDetail(detail: UserDetail, previousVersion: number): Promise<boolean> {
    return ignoreConditionFailure(
      this.client.send(
        new PutCommand({
          TableName: this.tables.detail,
          Item: toDetailItem(detail),
          ...(previousVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(UserID)' }
            : {
                ConditionExpression: 'Version = :previous',
                ExpressionAttributeValues: { ':previous': previousVersion },
              }),
        }),
      ),
    );
  }

  async listSummaries(limit: number, after?: PageKey): Promise<Page<UserSummary>> {
    const { Items = [] } = await this.client.send(
      new ScanCommand({
        TableName: this.tables.summary,
        Limit: limit + 1,
        ExclusiveStartKey: after,
      }),
    );
    return pageOf(Items.map(fromSummaryItem), limit, (last) => ({ UserID: last.userId }));
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
      Sequence: last.sequence,
    }));
  }
}

/** Reads one item more than asked, so `next` is only set when another page really exists. */
const pageOf = <T>(items: T[], limit: number, keyOf: (last: T) => PageKey): Page<T> => {
  if (items.length <= limit) return { items };
  const page = items.slice(0, limit);
  return { items: page, next: keyOf(page[page.length - 1] as T) };
};

/** Resolves true when written, false when a condition said the write was already superseded. */
const ignoreConditionFailure = async (write: Promise<unknown>): Promise<boolean> => {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
