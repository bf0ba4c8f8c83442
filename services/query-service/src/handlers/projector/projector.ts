import {
  EventType as BatchEventType,
  BatchProcessor,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { fromEventItem, logger, UnknownEventTypeError } from '@users/shared';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { ReadModelStore } from '../../application/ports';
import { EventOutOfOrderError, projectEvent, skipEvent } from '../../application/project-event';

/**
 * A stream handler over any ReadModelStore. Records are processed one after another (a user's
 * events must apply in order); failures are reported per record (ReportBatchItemFailures), so
 * Lambda retries from the first failed one and one bad record never fails the whole batch.
 */
export const createProjector = (store: ReadModelStore) => {
  const processor = new BatchProcessor(BatchEventType.DynamoDBStreams);

  const projectItem = async (item: Record<string, unknown>) => {
    try {
      return await projectEvent(store, fromEventItem(item));
    } catch (error) {
      if (!(error instanceof UnknownEventTypeError)) throw error;
      logger.warn('skipping event of unknown type', {
        aggregate_id: item.AggregateID,
        version: item.Sequence,
        event_type: item.EventType,
      });
      return skipEvent(store, item.AggregateID as string, item.Sequence as number);
    }
  };

  const projectRecord = async (record: DynamoDBRecord) => {
    const image = record.dynamodb?.NewImage;
    // Events are immutable: only inserts carry news.
    if (record.eventName !== 'INSERT' || !image) return;
    const position = { aggregate_id: image.AggregateID?.S, version: Number(image.Sequence?.N) };
    try {
      const outcome = await projectItem(unmarshall(image as Record<string, AttributeValue>));
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
