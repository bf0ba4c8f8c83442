import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { eventPosition, logger } from '@users/shared';
import type { IntegrationEvent } from '@users/shared/integration';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { integrationEventOfItem } from '../../application/integration-event-of-item';
import { type EventBus, publishAll } from '../../application/publish-events';

/** Time kept back from the function's timeout for the answer. */
const SAFETY_MS = 2000;

/** Where an erasure's publication is recorded on its receipt (GET /erasures/{user_id}). */
export type ErasureReceipts = { published(userId: string, at: Date): Promise<void> };

/** Told after each batch what it published, for the function's metrics and trace. */
export type PublisherObserver = {
  published: (batch: { published: IntegrationEvent[]; failed: number }) => void;
};

/** A stream record's integration event; undefined for what is not news (not an insert). */
const integrationEventOf = (record: DynamoDBRecord) => {
  const image = record.dynamodb?.NewImage;
  // Events are immutable: only inserts carry news (encrypt-legacy's rewrites are MODIFY).
  if (record.eventName !== 'INSERT' || !image) return undefined;
  return integrationEventOfItem(unmarshall(image as Record<string, AttributeValue>));
};

/**
 * The stream handler that publishes every stored event as one integration event on the stage's
 * bus. A record that cannot be read or published is reported (ReportBatchItemFailures): Lambda
 * delivers it again, then gives it to the failure queue. Records after it in the batch may be
 * published twice meanwhile: subscribers deduplicate on `event_id`.
 */
export const createPublisher =
  (bus: EventBus, receipts: ErasureReceipts, observer?: PublisherObserver) =>
  async (
    event: DynamoDBStreamEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<DynamoDBBatchResponse> => {
    const deadline = Date.now() + (context?.getRemainingTimeInMillis() ?? 10_000) - SAFETY_MS;
    const failed: DynamoDBRecord[] = [];
    const toPublish = new Map<IntegrationEvent, DynamoDBRecord>();
    for (const record of event.Records) {
      try {
        const integration = await integrationEventOf(record);
        if (integration) toPublish.set(integration, record);
      } catch (error) {
        const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
        logger.error('event not published; it will be retried', {
          ...(image && eventPosition(unmarshall(image))),
          error,
        });
        failed.push(record);
      }
    }
    const unpublished = await publishAll(bus, [...toPublish.keys()], { deadline });
    for (const integration of unpublished) {
      logger.warn('integration event not published; it will be retried', {
        eventId: integration.detail.event_id,
        type: integration.type,
      });
      failed.push(toPublish.get(integration) as DynamoDBRecord);
    }
    const published = [...toPublish.keys()].filter((integration) => !unpublished.has(integration));
    // An erasure's receipt says when it was published; one not recorded is published again. All
    // at once: each record is bounded by the receipts' own limit, so a batch of erasures under a
    // stalled table costs that bound once, not once per erasure.
    await Promise.all(
      published
        .filter((integration) => integration.type === 'user.erased')
        .map((integration) =>
          receipts.published(integration.detail.user_id, new Date()).catch((error: unknown) => {
            logger.warn('erasure published, its receipt not updated; it will be retried', {
              error,
            });
            failed.push(toPublish.get(integration) as DynamoDBRecord);
          }),
        ),
    );
    observer?.published({ published, failed: failed.length });
    return {
      batchItemFailures: failed.map((record) => ({
        itemIdentifier: record.dynamodb?.SequenceNumber as string,
      })),
    };
  };
