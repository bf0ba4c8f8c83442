import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  paginateQuery,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { StatsStore } from '../application/ports';
import { addFigures, type DailyFigures, NO_FIGURES } from '../domain/daily-figures';

export type StatsTables = {
  /** Daily figures, each day spread over SHARDS items. */
  figures: string;
  /** One item per counted event id: what keeps a second delivery out. */
  countedEvents: string;
};

/**
 * A day's figures are written by every event of that day: kept in one item they would take about
 * 500 events/s (1,000 WCU an item, 2 a transactional write). Spread over shards (by event id),
 * read back together: about 16,000 events/s a day (docs/scale.md).
 */
const SHARDS = 32;

/**
 * Two deliveries adding to one shard at the same moment: DynamoDB cancels one transaction
 * (TransactionConflict), which the SDK does not retry. Tried again here, after a jittered pause,
 * as often as this allows; past it, the invocation fails and Lambda retries it.
 */
const CONFLICT_ATTEMPTS = 10;
const conflictPause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 6)));

const reasonsOf = (error: unknown) =>
  error instanceof TransactionCanceledException
    ? (error.CancellationReasons ?? []).map((reason) => reason.Code)
    : [];

const shardOf = (eventId: string) =>
  (createHash('sha256').update(eventId).digest()[0] as number) % SHARDS;

const FIELDS = Object.keys(NO_FIGURES) as (keyof DailyFigures)[];

/**
 * The figures with exactly-once counting: the event id's record and the additions are one
 * transaction, so a duplicate adds nothing and a crash leaves both or neither. Event ids are kept
 * for good (a small item each), so a replay of the archive or the event store, whenever it comes,
 * never counts twice.
 */
export class DynamoStatsStore implements StatsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: StatsTables,
  ) {}

  async addOnce(eventId: string, day: string, figures: Partial<DailyFigures>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.addOnceAttempt(eventId, day, figures);
      } catch (error) {
        const conflict = reasonsOf(error).includes('TransactionConflict');
        if (!conflict || attempt >= CONFLICT_ATTEMPTS) throw error;
        await conflictPause(attempt);
      }
    }
  }

  private async addOnceAttempt(eventId: string, day: string, figures: Partial<DailyFigures>) {
    const added = FIELDS.filter((field) => figures[field] !== undefined);
    try {
      // The SDK gives the transaction a ClientRequestToken: its retries after a lost answer are
      // answered as the first, never counted twice.
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.countedEvents,
                Item: { EventId: eventId, Day: day },
                ConditionExpression: 'attribute_not_exists(EventId)',
              },
            },
            {
              Update: {
                TableName: this.tables.figures,
                Key: { Shard: shardOf(eventId), Day: day },
                UpdateExpression: `ADD ${added.map((field) => `#${field} :${field}`).join(', ')}`,
                ExpressionAttributeNames: Object.fromEntries(added.map((f) => [`#${f}`, f])),
                ExpressionAttributeValues: Object.fromEntries(
                  added.map((f) => [`:${f}`, figures[f]]),
                ),
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (reasonsOf(error)[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /** `consistent`: strongly consistent reads (twice the cost), for a check that must not lag. */
  async figuresBetween(
    from: string,
    to: string,
    { consistent = false }: { consistent?: boolean } = {},
  ): Promise<Map<string, DailyFigures>> {
    const days = new Map<string, DailyFigures>();
    await Promise.all(
      Array.from({ length: SHARDS }, async (_, shard) => {
        for await (const page of paginateQuery(
          { client: this.client },
          {
            TableName: this.tables.figures,
            KeyConditionExpression: '#shard = :shard AND #day BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#shard': 'Shard', '#day': 'Day' },
            ExpressionAttributeValues: { ':shard': shard, ':from': from, ':to': to },
            ConsistentRead: consistent,
          },
        )) {
          for (const item of page.Items ?? []) {
            const day = item.Day as string;
            // An item holds only the figures added to it (ADD creates them): none yet is 0, and
            // items written before a figure existed (erasureRequests, say) read as 0 for it.
            const figures = Object.fromEntries(FIELDS.map((f) => [f, Number(item[f] ?? 0)]));
            days.set(day, addFigures(days.get(day) ?? NO_FIGURES, figures));
          }
        }
      }),
    );
    return days;
  }
}
