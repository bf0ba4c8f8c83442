import {
  BatchProcessor,
  EventType as BatchEventType,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { fromEventItem, logger, UnknownEventTypeError } from '@users/shared';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { projectEvent } from '../../application/project-event';
import { readModels } from '../read-models';

const processor = new BatchProcessor(BatchEventType.DynamoDBStreams);

const projectRecord = async (record: DynamoDBRecord) => {
  const image = record.dynamodb?.NewImage;
  // Events are immutable: only inserts carry news.
  if (record.eventName !== 'INSERT' || !image) return;
  const position = { aggregate_id: image.AggregateID?.S, version: Number(image.Sequence?.N) };
  try {
    const item = unmarshall(image as Record<string, AttributeValue>);
    const outcome = await projectEvent(readModels, fromEventItem(item));
    logger.debug('event projected', { ...position, outcome });
  } catch (error) {
    if (error instanceof UnknownEventTypeError) {
      logger.warn('skipped event of unknown type', { ...position, event_type: image.EventType?.S });
      return;
    }
    logger.error('event not projected; it will be retried', { ...position, error });
    throw error;
  }
};

/**
 * Records are processed one after another (a user's events must apply in order); failures are
 * reported per record (ReportBatchItemFailures) so Lambda retries from the first failed one.
 */
export const handler = async (event: DynamoDBStreamEvent, context: Context) => {
  const response = await processPartialResponse(event, projectRecord, processor, {
    context,
    processInParallel: false,
  });
  // serverless-offline-dynamodb-streams ignores partial batch responses and would drop the
  // failed records; failing the whole batch makes it redeliver (applied events are skipped).
  if (process.env.IS_OFFLINE && response.batchItemFailures.length > 0) {
    throw new Error(`${response.batchItemFailures.length} record(s) not projected`);
  }
  return response;
};
