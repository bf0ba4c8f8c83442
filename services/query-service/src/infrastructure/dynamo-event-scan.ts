import { type DynamoDBDocumentClient, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { EventItem, EventSource } from '../rebuild/rebuild-read-models';

export type ScanOptions = {
  /** Parallel Scan segments: a single sequential Scan slows down as the table grows. */
  segments: number;
  /** Users being written at once per segment, so that reading and writing overlap. */
  usersInFlight: number;
};

const isWholeHistory = (items: EventItem[]) =>
  items.every((item, index) => item.Sequence === index + 1);

/** Reads the event store table for a rebuild. Read-only: it never writes the event store. */
export class DynamoEventScan implements EventSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly eventsTable: string,
    private readonly options: ScanOptions = { segments: 4, usersInFlight: 4 },
  ) {}

  async scanUsers(onUser: (items: EventItem[]) => Promise<void>): Promise<void> {
    const { segments } = this.options;
    await Promise.all(
      Array.from({ length: segments }, (_, segment) => this.scanSegment(segment, onUser)),
    );
  }

  private async scanSegment(segment: number, onUser: (items: EventItem[]) => Promise<void>) {
    const inFlight = new Set<Promise<void>>();
    const dispatch = async (run: EventItem[]) => {
      const items = isWholeHistory(run) ? run : await this.readUser(run[0]?.AggregateID as string);
      const write = onUser(items).finally(() => inFlight.delete(write));
      inFlight.add(write);
      if (inFlight.size >= this.options.usersInFlight) await Promise.race(inFlight);
    };

    // A Scan returns each user's items together and in version order; a run that is not a
    // whole history (1, 2, 3, ...) is read again with a Query rather than trusted.
    let run: EventItem[] = [];
    const pages = paginateScan(
      { client: this.client },
      { TableName: this.eventsTable, Segment: segment, TotalSegments: this.options.segments },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (run.length > 0 && run[0]?.AggregateID !== item.AggregateID) {
          await dispatch(run);
          run = [];
        }
        run.push(item);
      }
    }
    if (run.length > 0) await dispatch(run);
    await Promise.all(inFlight);
  }

  private async readUser(aggregateId: string): Promise<EventItem[]> {
    const items: EventItem[] = [];
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.eventsTable,
        KeyConditionExpression: 'AggregateID = :id',
        ExpressionAttributeValues: { ':id': aggregateId },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  }
}
