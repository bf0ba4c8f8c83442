import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import { eventPosition } from '@users/shared';
import type { IntegrationEvent } from '@users/shared/integration';
import { SingleBar } from 'cli-progress';
import { integrationEventOfItem } from '../services/command-service/src/application/integration-event-of-item';
import { publishAll } from '../services/command-service/src/application/publish-events';
import { DynamoErasureReceipts } from '../services/command-service/src/infrastructure/dynamo-erasure-receipts';
import { EventBridgeBus } from '../services/command-service/src/infrastructure/eventbridge-bus';
import type { StageConfig } from './local-stack/tables';

export type ReplayWindow = { from?: string; to?: string; userId?: string };

/** Events published a page at a time: each page's at once, then the next. */
const PAGE = 500;

/** The stored events to replay: one user's (Query), or every user's (Scan), in the window. */
const storedItems = ({ client, eventsTable }: StageConfig, { from, to, userId }: ReplayWindow) => {
  const window = [...(from ? ['OccurredAt >= :from'] : []), ...(to ? ['OccurredAt <= :to'] : [])];
  const values = { ...(from && { ':from': from }), ...(to && { ':to': to }) };
  const filter =
    window.length > 0
      ? { FilterExpression: window.join(' AND '), ExpressionAttributeValues: values }
      : {};
  return userId
    ? paginateQuery(
        { client, pageSize: PAGE },
        {
          TableName: eventsTable,
          KeyConditionExpression: 'AggregateID = :id',
          ...filter,
          ExpressionAttributeValues: { ...values, ':id': userId },
          ConsistentRead: true,
        },
      )
    : paginateScan({ client, pageSize: PAGE }, { TableName: eventsTable, ...filter });
};

/**
 * Publishes the integration events of the stored events in the window again, with a progress
 * bar: the same mapping and the same retries as the publisher (publish-events.ts).
 */
export const replayEvents = async (
  config: StageConfig,
  eventBridge: EventBridgeClient,
  busArn: string,
  window: ReplayWindow,
) => {
  const bus = new EventBridgeBus(eventBridge, busArn);
  // An erasure published again is noted on its receipt, as the publisher does (once, the first).
  const receipts = new DynamoErasureReceipts(config.client, config.erasureReceiptsTable);
  const startedAt = Date.now();
  const bar = new SingleBar({
    format: 'Replaying |{bar}| {value} events | {published} published | {speed} events/s',
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  const report = { events: 0, published: 0, unpublished: 0, unreadable: [] as string[] };
  bar.start(0, 0, { published: 0, speed: 0 });
  for await (const page of storedItems(config, window)) {
    // An item that cannot be read (a type of a newer release, a damaged item) is reported by its
    // place and skipped: the rest of the replay goes on.
    const read = await Promise.all(
      (page.Items ?? []).map((item) =>
        integrationEventOfItem(item).catch(() => {
          const { userId, version } = eventPosition(item);
          report.unreadable.push(`${userId}@${version}`);
          return undefined;
        }),
      ),
    );
    const events = read.filter((event): event is IntegrationEvent => event !== undefined);
    const unpublished = await publishAll(bus, events, { deadline: Number.POSITIVE_INFINITY });
    for (const event of events) {
      if (event.type !== 'user.erased' || unpublished.has(event)) continue;
      // Not noted: counted as not published, so that the replay is run again.
      await receipts
        .published(event.detail.user_id, new Date())
        .catch(() => unpublished.add(event));
    }
    report.events += read.length;
    report.unpublished += unpublished.size;
    report.published += events.length - unpublished.size;
    const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
    bar.setTotal(report.events);
    bar.update(report.events, {
      published: report.published,
      speed: Math.round(report.events / seconds),
    });
  }
  bar.stop();
  return { ...report, seconds: (Date.now() - startedAt) / 1000 };
};
