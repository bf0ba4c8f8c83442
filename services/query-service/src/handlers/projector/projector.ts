import {
  EventType as BatchEventType,
  BatchProcessor,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type DataKeys, decodeEvent, eventPosition, isUnknownEvent, logger } from '@users/shared';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { applyEvent, EventOutOfOrderError } from '../../application/apply-event';
import type { ReadModelStore } from '../../application/ports';

/**
 * A stream handler over any ReadModelStore. Records are processed one after another (a user's
 * events must apply in order); failures are reported per record (ReportBatchItemFailures), so
 * Lambda retries from the first failed one and one bad record never fails the whole batch.
 */
export const createProjector = (store: ReadModelStore, keys: Pick<DataKeys, 'read' | 'forget'>) => {
  const processor = new BatchProcessor(BatchEventType.DynamoDBStreams);

  const projectRecord = async (record: DynamoDBRecord) => {
    const image = record.dynamodb?.NewImage;
    // Events are immutable: only inserts carry news.
    if (record.eventName !== 'INSERT' || !image) return;
    const item = unmarshall(image as Record<string, AttributeValue>);
    const position = eventPosition(item);
    try {
      const event = await decodeEvent(item, keys);
      if (isUnknownEvent(event)) {
        logger.warn('skipping an event of an unknown type', { ...position, type: event.type });
      }
      if (!isUnknownEvent(event) && event.type === 'USER_ERASED') keys.forget(event.userId);
      const outcome = await applyEvent(store, event);
      logger.debug('event projected', { ...position, outcome });
    } catch (error) {
      if (error instanceof EventOutOfOrderError) {
        logger.warn('event arrived before an earlier one; it will be retried', position);
      } else {
        logger.error('event not projected; it will be retried', { ...position, error });
      }
      throw error;
    }
  };

  return (event: DynamoDBStreamEvent, context: Context) =>
    processPartialResponse(event, projectRecord, processor, {
      context,
      processInParallel: false,
      // A batch whose records all failed is reported like any other, record by record.
      throwOnFullBatchFailure: false,
    });
};
