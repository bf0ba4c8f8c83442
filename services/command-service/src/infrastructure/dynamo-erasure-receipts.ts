import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/** How long the publisher waits for the receipt: one stalled attempt and a retry. */
const RECORD_WITHIN_MS = 4000;

/**
 * The erasure receipts' step the publisher completes: `user.erased` published. Recorded once (the
 * first time; a record delivered again does not move it). A user erased before receipts existed
 * has none: nothing to record.
 */
export class DynamoErasureReceipts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async published(userId: string, at: Date): Promise<void> {
    // A stalled table holds the record back (it is delivered again), never the batch past its time.
    const abortSignal = AbortSignal.timeout(RECORD_WITHIN_MS);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { UserID: userId },
          UpdateExpression: 'SET PublishedAt = if_not_exists(PublishedAt, :at)',
          ConditionExpression: 'attribute_exists(UserID)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
        { abortSignal },
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
