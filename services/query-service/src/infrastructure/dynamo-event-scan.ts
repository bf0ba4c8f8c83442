import { type DynamoDBDocumentClient, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import { eventPosition } from '@users/shared';
import type { EventSource, StoredEvent } from '../application/ports';

export type ScanOptions = {
  /** Parallel Scan segments: a single sequential Scan slows down as the table grows. */
  segments: number;
  /** Users being written at once per segment, so that reading and writing overlap. */
  usersInFlight: number;
};

const isWholeHistory = (items: StoredEvent[]) =>
  items.every((item, index) => eventPosition(item).version === index + 1);

/** Reads the event store table for a rebuild. Read-only: it never writes the event store. */
export class DynamoEventScan implements EventSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly eventsTable: string,
    private readonly options: ScanOptions = { segments: 4, usersInFlight: 4 },
  ) {}

  async scanUsers(onUser: (items: StoredEvent[]) => Promise<void>): Promise<void> {
    const { segments } = this.options;
    await Promise.all(
      Array.from({ length: segments }, (_, segment) => this.scanSegment(segment, onUser)),
    );
  }

  private async scanSegment(segment: number, onUser: (items: StoredEvent[]) => Promise<void>) {
    const inFlight = new Set<Promise<void>>();
    const dispatch = async (run: StoredEvent[]) => {
      const items = isWholeHistory(run)
        ? run
        : await this.readUser(eventPosition(run[0] ?? {}).userId);
      const write = onUser(items).finally(() => inFlight.delete(write));
      inFlight.add(write);
      if (inFlight.size >= this.options.usersInFlight) await Promise.race(inFlight);
    };

    // A Scan returns each user's items together and in version order; a run that is not a
    // whole history (1, 2, 3, ...) is read again with a Query rather than trusted.
    let run: StoredEvent[] = [];
    const pages = paginateScan(
      { client: this.client },
      // Consistent: an eventually consistent Scan may miss events written a moment ago.
      {
        TableName: this.eventsTable,
        Segment: segment,
        TotalSegments: this.options.segments,
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (run.length > 0 && eventPosition(run[0] ?? {}).userId !== eventPosition(item).userId) {
          await dispatch(run);
          run = [];
        }
        run.push(item);
      }
    }
    if (run.length > 0) await dispatch(run);
    await Promise.all(inFlight);
  }

  private async readUser(userId: string): Promise<StoredEvent[]> {
    const items: StoredEvent[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.eventsTable,
        KeyConditionExpression: 'AggregateID = :id',
        ExpressionAttributeValues: { ':id': userId },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  }
}
