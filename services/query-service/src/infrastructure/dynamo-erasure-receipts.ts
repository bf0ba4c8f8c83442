import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '@users/shared';
import { count } from '@users/shared/observability';
import {
  AUDIT_OUTCOMES,
  type AuditOutcome,
  type ErasureReceipt,
  type ErasureSteps,
} from '../application/ports';
import { isProjectionVersion, type ProjectionVersion } from '../projections';

/** The receipt's map of each step, by projection version. */
const STEPS = { detailHidden: 'DetailHiddenAt', historyRewritten: 'HistoryRewrittenAt' } as const;
type Step = keyof typeof STEPS;

/**
 * How long recording a step may hold the erasure's own work back (a throttled or stalled receipts
 * table): the projector's batch and the history eraser's run go on without it after that.
 */
export const RECORD_WITHIN_MS = 4000;

const byVersion = (value: unknown): Partial<Record<ProjectionVersion, string>> => {
  const steps: Partial<Record<ProjectionVersion, string>> = {};
  for (const [key, at] of Object.entries((value as Record<string, unknown> | undefined) ?? {})) {
    const version = Number(key);
    if (isProjectionVersion(version) && typeof at === 'string') steps[version] = at;
  }
  return steps;
};

const isAuditOutcome = (value: unknown): value is AuditOutcome =>
  (AUDIT_OUTCOMES as readonly unknown[]).includes(value);

/**
 * The erasure receipts table of the command service (`users-<stage>-erasure-receipts`, keyed by
 * `UserID`, kept after the user is gone, no personal data). The command side creates each
 * receipt in the erasure's own transaction; this records the query side's steps into it, and
 * reads it for GET /erasures/{user_id}. `table` may be the table's ARN.
 */
export class DynamoErasureReceipts implements ErasureSteps {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  detailHidden(
    userId: string,
    version: ProjectionVersion,
    at: Date,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return this.record('detailHidden', userId, version, at, signal);
  }

  historyRewritten(
    userId: string,
    version: ProjectionVersion,
    at: Date,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return this.record('historyRewritten', userId, version, at, signal);
  }

  /**
   * The first time a step is recorded stays (`if_not_exists`): a later pass over the same
   * version (a mark applied, a rewrite started over as a precaution) does not move it. A rewrite
   * finished also fills in the detail's step if that one was not recorded (it failed, or came
   * from a release before receipts): a version's history is rewritten only once its detail is
   * hidden, so it was hidden by then at the latest.
   *
   * Deliberately never throws: the receipt reports on the erasure, it is not part of it. A
   * failure to record (throttled, stalled past RECORD_WITHIN_MS or `signal`, the table missing or not
   * granted) is logged as a warning, counted (`ErasureStepsNotRecorded`: a table failing for good
   * alarms) and answered false: the erasure moves on, and a rewrite not recorded leaves its user
   * pending (erasure-receipts.ts) so that the history eraser records it on its next run. No receipt at all (an erasure stored by a release before receipts, or written
   * straight into a test stage) is not a failure: nothing is recorded, nothing logged.
   */
  private async record(
    step: Step,
    userId: string,
    version: ProjectionVersion,
    at: Date,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), RECORD_WITHIN_MS);
    const abortSignal = signal ? AbortSignal.any([controller.signal, signal]) : controller.signal;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { UserID: userId },
          UpdateExpression:
            step === 'detailHidden'
              ? 'SET #hidden.#version = if_not_exists(#hidden.#version, :at)'
              : 'SET #rewritten.#version = if_not_exists(#rewritten.#version, :at), #hidden.#version = if_not_exists(#hidden.#version, :at)',
          ConditionExpression: 'attribute_exists(UserID)',
          ExpressionAttributeNames: {
            '#hidden': STEPS.detailHidden,
            ...(step === 'historyRewritten' && { '#rewritten': STEPS.historyRewritten }),
            '#version': String(version),
          },
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
        { abortSignal },
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return true;
      count('ErasureStepsNotRecorded');
      logger.warn('an erasure step was not recorded on its receipt; the erasure goes on', {
        step: STEPS[step],
        userId,
        version,
        error,
      });
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The user's receipt, read consistently; null when there is none. */
  async receiptOf(userId: string): Promise<ErasureReceipt | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: { UserID: userId }, ConsistentRead: true }),
    );
    if (!Item) return null;
    return {
      userId: String(Item.UserID),
      erasedAt: String(Item.ErasedAt),
      version: Number(Item.Version),
      eventId: String(Item.EventId),
      keyShreddedAt: String(Item.KeyShreddedAt),
      ...(typeof Item.PublishedAt === 'string' && { publishedAt: Item.PublishedAt }),
      detailHiddenAt: byVersion(Item.DetailHiddenAt),
      historyRewrittenAt: byVersion(Item.HistoryRewrittenAt),
      ...(typeof Item.AuditedAt === 'string' &&
        isAuditOutcome(Item.AuditOutcome) && {
          audit: { at: Item.AuditedAt, outcome: Item.AuditOutcome },
        }),
    };
  }
}
