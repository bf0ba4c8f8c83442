import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
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
  FEED_KEEPS_SECONDS,
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
const BATCH_GET_LIMIT = 100;

const UNPROCESSED_ROUNDS = 8;
const CHUNKS_IN_FLIGHT = 4;

/**
 * `work` on each chunk of `size` items, a few chunks at a time. After a failure no new chunk
 * starts, and the ones in flight settle before it is reported: no write lands after the caller
 * has moved on (e.g. to erase what was written).
 */
const eachChunk = async <T>(items: T[], size: number, work: (chunk: T[]) => Promise<void>) => {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  const failures: unknown[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CHUNKS_IN_FLIGHT, chunks.length) }, async () => {
      while (failures.length === 0 && next < chunks.length) {
        await work(chunks[next++] as T[]).catch((error: unknown) => failures.push(error));
      }
    }),
  );
  if (failures.length > 0) throw failures[0];
};

/**
 * Asks again, backing off, for what a batch request left unprocessed under load; gives up after
 * UNPROCESSED_ROUNDS (about 3.5 s), well within the Lambda timeout, so that the batch is retried.
 */
const untilAllProcessed = async <T>(pending: T[], ask: (pending: T[]) => Promise<T[]>) => {
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === UNPROCESSED_ROUNDS) {
      throw new Error(`DynamoDB left ${pending.length} items unprocessed ${attempt} times`);
    }
    if (attempt > 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    }
    pending = await ask(pending);
  }
};

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

  async getDetails(userIds: string[]): Promise<Map<string, UserDetail>> {
    const details = new Map<string, UserDetail>();
    const keys = userIds.map((userId) => ({ UserID: userId }));
    await eachChunk(keys, BATCH_GET_LIMIT, (chunk) =>
      untilAllProcessed<Record<string, unknown>>(chunk, async (Keys) => {
        const { Responses, UnprocessedKeys } = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tables.detail]: { Keys, ConsistentRead: true } },
          }),
        );
        for (const item of Responses?.[this.tables.detail] ?? []) {
          const detail = fromDetailItem(item);
          details.set(detail.userId, detail);
        }
        return UnprocessedKeys?.[this.tables.detail]?.Keys ?? [];
      }),
    );
    return details;
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

  advance(detail: UserDetail, previousVersion: number): Promise<boolean> {
    return this.putDetail(detail, atVersion(previousVersion));
  }

  async putHistoryEntries(entries: HistoryEntry[]): Promise<void> {
    await this.putAll(this.tables.history, entries.map(toHistoryItem));
  }

  async addToFeed(events: RecentEvent[]): Promise<void> {
    const table = this.tables.recentEvents;
    if (!table) return;
    await this.putAll(
      table,
      events.map((event) => toFeedItem(FEED, event, FEED_KEEPS_SECONDS)),
    );
  }

  async recentEvents(limit: number, now: Date): Promise<RecentEvent[]> {
    if (!this.tables.recentEvents) return [];
    // TTL deletes expired items when it gets round to it (up to days later): the key says when.
    const since = new Date(now.getTime() - FEED_KEEPS_SECONDS * 1000).toISOString();
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.recentEvents,
        KeyConditionExpression: 'Feed = :feed AND #position >= :since',
        ExpressionAttributeNames: { '#position': 'Position' },
        ExpressionAttributeValues: { ':feed': FEED, ':since': since },
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
    await this.putHistoryEntries(entries.map(eraseHistoryEntry));
  }

  async restoreUser({ detail, history }: UserReadModels): Promise<void> {
    await this.putHistoryEntries(history);
    await this.putDetail(detail, notNewerThan(detail.version));
    // Entries read before an erasure that the live projector applied meanwhile: erase them again.
    if (!detail.erased && (await this.getDetail(detail.userId))?.erased) {
      await this.eraseHistory(detail.userId);
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

  /** BatchWriteItem, 25 items a request, retrying whatever DynamoDB leaves unprocessed under load. */
  private async putAll(table: string, items: Record<string, unknown>[]) {
    const requests = items.map((Item) => ({ PutRequest: { Item } }));
    await eachChunk(requests, BATCH_WRITE_LIMIT, (chunk) =>
      untilAllProcessed(chunk, async (pending) => {
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [table]: pending } }),
        );
        return (UnprocessedItems?.[table] ?? []) as typeof requests;
      }),
    );
  }
}

/** Reads one item more than asked, so `next` is only set when another page really exists. */
const pageOf = <T>(items: T[], limit: number, keyOf: (last: T) => PageKey): Page<T> => {
  if (items.length <= limit) return { items };
  const page = items.slice(0, limit);
  return { items: page, next: keyOf(page[page.length - 1] as T) };
};
