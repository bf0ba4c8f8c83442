import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ErasurePosition,
  type ErasureTarget,
  type FinishedRewrite,
  type Page,
  type PageKey,
  type PendingErasures,
  type ReadModelQueries,
  type ReadModelRestorer,
  type ReadModelStore,
  type RecordedErasures,
  TablesGone,
} from '../application/ports';
import {
  eraseHistoryEntry,
  FEED_KEEPS_SECONDS,
  type HistoryEntry,
  heldBy,
  type ProjectionVersion,
  type RecentEvent,
  toSummary,
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
  /** The detail table's sparse index of erased users whose history rewrite is unfinished. */
  pendingErasuresIndex?: string;
  /** The console's feed, in stages that have the console. */
  recentEvents?: string;
  /** What these tables hold (projections/versions.ts); 1 unless said. */
  projectionVersion?: ProjectionVersion;
};

/** One feed partition: the console reads the newest hour of events across users in one Query. */
const FEED = 'recent';

type Condition = {
  ConditionExpression: string;
  ExpressionAttributeValues?: Record<string, unknown>;
};

/**
 * An erased user's detail (a tombstone, or marked by markErased ahead of its erasure's turn) is
 * never written over by one with personal data: a writer that read the user before the erasure
 * (a rebuild's scan, a second invocation on the same user) would bring the name back.
 */
const unlessErased = (condition: Condition, detail: UserDetail): Condition =>
  detail.erased
    ? condition
    : {
        ...condition,
        ConditionExpression: `(${condition.ConditionExpression}) AND attribute_not_exists(Erased)`,
      };

/** Version 0 is a user not applied yet: no detail, or an erasure's placeholder (hideErased). */
const atVersion = (version: number): Condition => ({
  ConditionExpression:
    version === 0 ? 'attribute_not_exists(UserID) OR Version = :version' : 'Version = :version',
  ExpressionAttributeValues: { ':version': version },
});

/** A rebuild also rewrites a detail at its own version, so that it repairs damaged content. */
const notNewerThan = (version: number): Condition => ({
  ConditionExpression: 'attribute_not_exists(UserID) OR Version <= :version',
  ExpressionAttributeValues: { ':version': version },
});

/**
 * An erased user's tombstone carries these until the history rewrite is done: the index key
 * (HistoryErasure, in the sparse PendingErasures index), how far the rewrite got, and the round:
 * every (re)start of the rewrite is a new round with an id of its own, so a pass of an older
 * round can never move the cursor of a newer one (a cursor put back to 0 looks like any other 0).
 */
const PENDING = 'pending';
const START_ERASURE =
  'SET HistoryErasure = :pending, HistoryErasedThrough = :start, HistoryErasureRound = :round';
const newRound = () => ({ ':pending': PENDING, ':start': 0, ':round': randomUUID() });

/** History entries one rewrite step reads and writes: about 0.1 s of a partition's writes. */
const ERASE_PAGE = 100;

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

/** Work that must stop by then (epoch ms) rather than outlive its invocation. */
export class DeadlineReached extends Error {}

/**
 * Asks again, backing off, for what a batch request left unprocessed under load; gives up after
 * UNPROCESSED_ROUNDS (about 3.5 s), well within the Lambda timeout, so that the batch is retried,
 * or sooner when the next pause would pass `deadline`.
 */
const untilAllProcessed = async <T>(
  pending: T[],
  ask: (pending: T[]) => Promise<T[]>,
  deadline = Number.POSITIVE_INFINITY,
) => {
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === UNPROCESSED_ROUNDS) {
      throw new Error(`DynamoDB left ${pending.length} items unprocessed ${attempt} times`);
    }
    if (attempt > 0) {
      const pause = Math.min(1000, 25 * 2 ** attempt);
      if (Date.now() + pause >= deadline) throw new DeadlineReached('unprocessed items left');
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    pending = await ask(pending);
  }
};

/**
 * Every write here is a single-item write: the detail item is each user's checkpoint and carries
 * its own list entry (a sparse index), so nothing can disagree with it and no transaction is
 * needed.
 */
export class DynamoReadModelStore
  implements
    ReadModelStore,
    ReadModelQueries,
    ReadModelRestorer,
    PendingErasures,
    ErasureTarget,
    RecordedErasures
{
  /** Every request's options: an abort signal when the store's work has a deadline. */
  private readonly sent: { abortSignal?: AbortSignal } | undefined;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tables: ReadModelTables,
    signal?: AbortSignal,
    /** Where the console's feed is written, when not in these tables' own (withFeed). */
    private readonly feed?: DynamoReadModelStore,
  ) {
    this.sent = signal && { abortSignal: signal };
  }

  /**
   * The same tables, keeping the console's feed as well, through the feed's own store (and
   * client: its one partition, throttled, must not use up this store's retries).
   */
  withFeed(feed: DynamoReadModelStore) {
    return new DynamoReadModelStore(this.client, this.tables, this.sent?.abortSignal, feed);
  }

  /**
   * The same tables, every request given up (and none started) once `signal` aborts: a follower
   * of the live version stops at its deadline instead of holding the live answer back.
   */
  until(signal: AbortSignal): DynamoReadModelStore {
    return new DynamoReadModelStore(this.client, this.tables, signal, this.feed?.until(signal));
  }

  /** Only what this version holds is ever written (a rebuild included). */
  private toHistoryItem(entry: HistoryEntry) {
    const version = this.tables.projectionVersion ?? 1;
    return toHistoryItem({ ...entry, detailAfter: heldBy(version, entry.detailAfter) });
  }

  async getDetail(userId: string): Promise<UserDetail | null> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.detail,
        Key: { UserID: userId },
        ConsistentRead: true,
      }),
      this.sent,
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
          this.sent,
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
      // Consistent, as the detail it is cut against: a lagging replica would answer 404 for an
      // entry the checkpoint says is there.
      new GetCommand({
        TableName: this.tables.history,
        Key: { UserID: userId, Sequence: version },
        ConsistentRead: true,
      }),
      this.sent,
    );
    return Item ? fromHistoryItem(Item) : null;
  }

  /** The erasure's tombstone starts the history rewrite (a new round, from the first entry). */
  advance(detail: UserDetail, previousVersion: number): Promise<boolean> {
    const round = newRound();
    const erasure = {
      HistoryErasure: round[':pending'],
      HistoryErasedThrough: round[':start'],
      HistoryErasureRound: round[':round'],
    };
    return this.putDetail(
      detail,
      unlessErased(atVersion(previousVersion), detail),
      detail.erased ? erasure : {},
    );
  }

  /**
   * Hides the user (personal fields gone, off the list) and starts a new round of the history
   * rewrite; a user not applied yet gets a placeholder at version 0 (erasedPlaceholder), so that
   * whatever is applied later stays erased.
   */
  async markErased(userId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tables.detail,
        Key: { UserID: userId },
        UpdateExpression: `${START_ERASURE}, Version = if_not_exists(Version, :zero), #name = :none, Email = :none, Erased = :true REMOVE ListedUserID`,
        ExpressionAttributeNames: { '#name': 'Name' },
        ExpressionAttributeValues: { ...newRound(), ':none': null, ':true': true, ':zero': 0 },
      }),
      this.sent,
    );
  }

  /**
   * As markErased, for a version told of an erasure by the registry's marks: a user erased
   * there already gets one more full pass (entries a repair cut off half way wrote meanwhile).
   */
  async hideErased(userId: string): Promise<void> {
    try {
      await this.markErased(userId);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) throw new TablesGone(this.tables.detail);
      throw error;
    }
  }

  async putHistoryEntries(entries: HistoryEntry[]): Promise<void> {
    await this.putAll(
      this.tables.history,
      entries.map((entry) => this.toHistoryItem(entry)),
    );
  }

  async addToFeed(events: RecentEvent[]): Promise<void> {
    if (this.feed) return this.feed.addToFeed(events);
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
      this.sent,
    );
    return Items.map(fromFeedItem);
  }

  async eraseHistory(userId: string, deadline: number): Promise<boolean> {
    return (await this.rewrite(userId, deadline, { keepPending: false })) !== null;
  }

  /** The cursor left at the last entry: the next pass reads what follows it, nothing if none came. */
  rewriteHistory(userId: string, deadline: number): Promise<FinishedRewrite | null> {
    return this.rewrite(userId, deadline, { keepPending: true });
  }

  /** Conditional, as each step of the rewrite: a round started since is left to finish. */
  async endErasure({ userId, pending }: FinishedRewrite): Promise<void> {
    if (pending) await this.moveErasureCursor(userId, pending, undefined);
  }

  /** Null while entries are left; otherwise where it finished (the user still pending if kept). */
  private async rewrite(
    userId: string,
    deadline: number,
    { keepPending }: { keepPending: boolean },
  ): Promise<FinishedRewrite | null> {
    try {
      while (Date.now() < deadline) {
        const position = await this.erasurePosition(userId);
        if (!position) return { userId };
        const reached = await this.eraseHistoryFrom(userId, position, deadline, keepPending);
        if (reached === 'more') return null;
        if (reached !== 'moved') return keepPending ? { userId, pending: reached } : { userId };
      }
      return null;
    } catch (error) {
      if (error instanceof DeadlineReached) return null;
      throw error;
    }
  }

  private async erasurePosition(userId: string): Promise<ErasurePosition | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.detail,
        Key: { UserID: userId },
        ProjectionExpression: 'HistoryErasedThrough, HistoryErasureRound',
        ConsistentRead: true,
      }),
      this.sent,
    );
    if (typeof Item?.HistoryErasedThrough !== 'number') return undefined;
    return { round: Item.HistoryErasureRound, through: Item.HistoryErasedThrough };
  }

  /**
   * Page after page from the position, each step moving the cursor only if nobody moved it, nor
   * started a new round, meanwhile. Entries already erased are read, not written again. After the
   * last page, the cursor is removed with the rest of the user's pending erasure, or moved to its
   * last entry if `keepPending`; the position it finished at is returned.
   */
  private async eraseHistoryFrom(
    userId: string,
    from: ErasurePosition,
    deadline: number,
    keepPending: boolean,
  ): Promise<ErasurePosition | 'moved' | 'more'> {
    let position = from;
    while (Date.now() < deadline) {
      const { Items = [], LastEvaluatedKey } = await this.client.send(
        new QueryCommand({
          TableName: this.tables.history,
          KeyConditionExpression: 'UserID = :id AND #sequence > :cursor',
          ExpressionAttributeNames: { '#sequence': 'Sequence' },
          ExpressionAttributeValues: { ':id': userId, ':cursor': position.through },
          Limit: ERASE_PAGE,
          ConsistentRead: true,
        }),
        this.sent,
      );
      const entries = Items.map(fromHistoryItem);
      await this.putAll(
        this.tables.history,
        entries.filter((e) => !e.erased).map((e) => this.toHistoryItem(eraseHistoryEntry(e))),
        deadline,
      );
      const through = entries.at(-1)?.version ?? position.through;
      const last = LastEvaluatedKey === undefined;
      const to = last && !keepPending ? undefined : through;
      if (!(await this.moveErasureCursor(userId, position, to))) return 'moved';
      position = { ...position, through };
      if (last) return position;
    }
    return 'more';
  }

  /** To `to`, or done (undefined); false if the cursor is no longer where it was. */
  private async moveErasureCursor(userId: string, from: ErasurePosition, to: number | undefined) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.detail,
          Key: { UserID: userId },
          UpdateExpression:
            to === undefined
              ? 'REMOVE HistoryErasure, HistoryErasedThrough, HistoryErasureRound'
              : 'SET HistoryErasedThrough = :to',
          ConditionExpression: 'HistoryErasedThrough = :from AND HistoryErasureRound = :round',
          ExpressionAttributeValues: {
            ':from': from.through,
            ':round': from.round,
            ...(to !== undefined && { ':to': to }),
          },
        }),
        this.sent,
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async eraseHistoryAgain(userId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tables.detail,
          Key: { UserID: userId },
          UpdateExpression: START_ERASURE,
          ConditionExpression: 'Erased = :erased',
          ExpressionAttributeValues: { ...newRound(), ':erased': true },
        }),
        this.sent,
      );
    } catch (error) {
      // Not erased (any more: a rebuild in between wrote an older version): nothing to redo.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Up to `limit` of them, a page at a time: whoever works through them picks in any order. */
  async pendingErasures(limit: number): Promise<string[]> {
    if (!this.tables.pendingErasuresIndex) return [];
    const userIds: string[] = [];
    let after: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await this.client.send(
        new QueryCommand({
          TableName: this.tables.detail,
          IndexName: this.tables.pendingErasuresIndex,
          KeyConditionExpression: 'HistoryErasure = :pending',
          ExpressionAttributeValues: { ':pending': PENDING },
          Limit: limit - userIds.length,
          ExclusiveStartKey: after,
        }),
        this.sent,
      );
      userIds.push(...Items.map((item) => item.UserID as string));
      after = LastEvaluatedKey;
    } while (after && userIds.length < limit);
    return userIds;
  }

  async restoreUser({ detail, history }: UserReadModels): Promise<void> {
    let written = false;
    try {
      await this.putHistoryEntries(history);
      written = await this.putDetail(detail, unlessErased(notNewerThan(detail.version), detail));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        written = true; // nothing left there to erase
        throw new TablesGone(this.tables.detail);
      }
      throw error;
    } finally {
      // Entries read before an erasure that was applied meanwhile (also when this restore failed
      // half way): the rewrite starts over, at once. The user stays pending: the history
      // eraser's next pass finds nothing left, and ends the erasure once its receipt records the
      // rewrite, where the stage keeps receipts. A detail written as it was read was not erased
      // then; an erasure after it rewrites what came before.
      if (!written && !detail.erased && (await this.getDetail(detail.userId))?.erased) {
        await this.eraseHistoryAgain(detail.userId);
        await this.rewriteHistory(detail.userId, Number.POSITIVE_INFINITY);
      }
    }
  }

  /** Every user's version (tombstones too), a page at a time: how far these tables are. */
  async eachUserVersionPage(
    onPage: (versions: Map<string, number>) => Promise<void>,
  ): Promise<void> {
    let after: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tables.detail,
          ProjectionExpression: 'UserID, Version',
          ConsistentRead: true,
          ExclusiveStartKey: after,
        }),
        this.sent,
      );
      const items = page.Items ?? [];
      await onPage(new Map(items.map((item) => [item.UserID as string, item.Version as number])));
      after = page.LastEvaluatedKey;
    } while (after);
  }

  /**
   * A page of the sparse list index, each user checked against its detail (one consistent
   * BatchGetItem): the index follows the table a moment late, and a user deleted or erased in
   * that moment is never listed, nor an old name shown. The summary is made from that detail,
   * so it carries a pending erasure too, without another read or a change to the index.
   */
  async listSummaries(limit: number, after?: PageKey): Promise<Page<UserSummary>> {
    const { Items = [] } = await this.client.send(
      new ScanCommand({
        TableName: this.tables.detail,
        IndexName: this.tables.listIndex,
        Limit: limit + 1,
        ExclusiveStartKey: after,
      }),
      this.sent,
    );
    const page = pageOf(Items.map(fromListIndexItem), limit, (last) => ({
      UserID: last.userId,
      ListedUserID: last.userId,
    }));
    const details = await this.getDetails(page.items.map((summary) => summary.userId));
    return {
      ...page,
      items: page.items.flatMap(({ userId }) => {
        const detail = details.get(userId);
        const summary = detail && !detail.erased ? toSummary(detail) : null;
        return summary ? [summary] : [];
      }),
    };
  }

  async listHistory(userId: string, limit: number, after?: PageKey): Promise<Page<HistoryEntry>> {
    const { Items = [] } = await this.client.send(
      // Consistent, as the detail it is cut against: a lagging replica would end the history
      // early with no next page.
      new QueryCommand({
        TableName: this.tables.history,
        KeyConditionExpression: 'UserID = :id',
        ExpressionAttributeValues: { ':id': userId },
        Limit: limit + 1,
        ExclusiveStartKey: after,
        ConsistentRead: true,
      }),
      this.sent,
    );
    return pageOf(Items.map(fromHistoryItem), limit, (last) => ({
      UserID: last.userId,
      Sequence: last.version,
    }));
  }

  /** True when written; false when the condition says another writer got there first. */
  private async putDetail(
    detail: UserDetail,
    condition: Condition,
    bookkeeping: Record<string, unknown> = {},
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.detail,
          Item: {
            ...toDetailTableItem(heldBy(this.tables.projectionVersion ?? 1, detail)),
            ...bookkeeping,
          },
          ...condition,
        }),
        this.sent,
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** BatchWriteItem, 25 items a request, retrying whatever DynamoDB leaves unprocessed under load. */
  private async putAll(table: string, items: Record<string, unknown>[], deadline?: number) {
    const requests = items.map((Item) => ({ PutRequest: { Item } }));
    await eachChunk(requests, BATCH_WRITE_LIMIT, (chunk) =>
      untilAllProcessed(
        chunk,
        async (pending) => {
          const { UnprocessedItems } = await this.client.send(
            new BatchWriteCommand({ RequestItems: { [table]: pending } }),
            this.sent,
          );
          return (UnprocessedItems?.[table] ?? []) as typeof requests;
        },
        deadline,
      ),
    );
  }
}

/** Reads one item more than asked, so `next` is only set when another page really exists. */
const pageOf = <T>(items: T[], limit: number, keyOf: (last: T) => PageKey): Page<T> => {
  if (items.length <= limit) return { items };
  const page = items.slice(0, limit);
  return { items: page, next: keyOf(page[page.length - 1] as T) };
};
