import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { RecordedEvent } from '@users/shared';
import type { ScheduledErasure } from '../application/erasure-schedule';
import type { PendingErasures } from '../application/ports';

/** A write to the pending erasures, one item of the transaction that stores the events. */
export type PendingErasureWrite =
  | { Put: { TableName: string; Item: { UserID: string; EraseAfter: string } } }
  | { Delete: { TableName: string; Key: { UserID: string } } };

/**
 * What a user's new events do to their row: a request puts it with its due time; a cancellation,
 * or an erasure (at once or carried out), deletes it; anything else leaves it as it is. The last of
 * them decides, so the row is the request pending after the events, if any. No condition: the
 * events' own (their versions free) already decide whether the transaction commits.
 */
export const pendingErasureWrite = (
  table: string,
  events: RecordedEvent[],
): PendingErasureWrite | undefined => {
  const last = events.findLast(({ type }) =>
    ['USER_ERASURE_REQUESTED', 'USER_ERASURE_CANCELLED', 'USER_ERASED'].includes(type),
  );
  if (last?.type === 'USER_ERASURE_REQUESTED') {
    const Item = { UserID: last.userId, EraseAfter: last.payload.erase_after };
    return { Put: { TableName: table, Item } };
  }
  return last && { Delete: { TableName: table, Key: { UserID: last.userId } } };
};

/**
 * The pending erasures as the sweep reads them: a Scan, eventually consistent, since a row read a
 * moment stale is harmless (one just cancelled or carried out is decided "not pending" or "already
 * erased" by the event store; one just requested is not due for its grace period).
 */
export class DynamoPendingErasures implements PendingErasures {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async *pages(): AsyncIterable<ScheduledErasure[]> {
    const pages = paginateScan({ client: this.client }, { TableName: this.table });
    for await (const { Items = [] } of pages) {
      yield Items.map((item) => ({ userId: item.UserID, eraseAfter: item.EraseAfter }));
    }
  }
}
