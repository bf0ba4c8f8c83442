import { logger } from '@users/shared';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { ProjectionRegistry } from '../../application/ports';
import type { ProjectionVersion } from '../../projections';

type Projector = (
  event: DynamoDBStreamEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<DynamoDBBatchResponse>;

/** Tries of a batch a follower gets beyond the first before it is marked behind. */
const FOLLOWER_ATTEMPTS = 2;

const sequenceOf = ({ itemIdentifier }: { itemIdentifier: string }) => BigInt(itemIdentifier);

/**
 * Lambda delivers a batch again from its lowest failed record on: a follower's failure at or
 * after that is delivered again, to the follower too. One before it would never come back.
 */
const missedForGood = (follower: DynamoDBBatchResponse, live: DynamoDBBatchResponse) => {
  if (live.batchItemFailures.length === 0) return follower.batchItemFailures.length > 0;
  // Sequence numbers are decimal strings of up to 40 digits: compared as BigInt, not Math.min.
  let from = sequenceOf(live.batchItemFailures[0] as { itemIdentifier: string });
  for (const failure of live.batchItemFailures) {
    if (sequenceOf(failure) < from) from = sequenceOf(failure);
  }
  return follower.batchItemFailures.some((failure) => sequenceOf(failure) < from);
};

/**
 * Applies each batch to every projection version the registry lists: the live one, whose answer
 * is the batch's (so only its failures hold the stream back), and its followers, each in tables
 * of its own. A follower that fails where the live version did not is marked behind (it may not
 * become live until built again) rather than slowing the live version down. The target of a
 * switch being prepared goes first, in full: it is never behind what a reader of the live
 * version has seen (docs/projections.md).
 */
export const createVersionedProjector =
  (
    registry: ProjectionRegistry,
    projectorOf: (version: ProjectionVersion, role: 'live' | 'follower') => Projector,
  ) =>
  async (
    event: DynamoDBStreamEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<DynamoDBBatchResponse> => {
    const { live, followers } = await registry.state();
    /** Versions that went live while this batch ran, with the records they missed. */
    const nowLive: DynamoDBBatchResponse[] = [];
    const fallBehind = async (version: ProjectionVersion, answer: DynamoDBBatchResponse) => {
      const reason = `${answer.batchItemFailures.length} record(s) not applied`;
      logger.warn('a projection version fell behind; build it again', { version, reason });
      if (!(await registry.markBehind(version, reason))) nowLive.push(answer);
    };
    /**
     * The batch again, for a follower that missed some of it: most misses are a race lost to a
     * build writing the same user (its write moved the detail first), which the next try wins.
     * Events already applied are skipped by version.
     */
    const again = async (
      version: ProjectionVersion,
      answer: DynamoDBBatchResponse,
      missed: (answer: DynamoDBBatchResponse) => boolean,
    ) => {
      let latest = answer;
      for (let attempt = 0; attempt < FOLLOWER_ATTEMPTS && missed(latest); attempt++) {
        latest = await projectorOf(version, 'follower')(event, context);
      }
      if (missed(latest)) await fallBehind(version, latest);
    };
    for (const { version } of followers.filter((f) => f.switching && !f.behind)) {
      const answer = await projectorOf(version, 'follower')(event, context);
      await again(version, answer, (latest) => latest.batchItemFailures.length > 0);
    }
    const others = followers.filter((f) => !f.switching && !f.behind);
    const [liveAnswer, ...answers] = await Promise.all([
      projectorOf(live, 'live')(event, context),
      ...others.map(({ version }) => projectorOf(version, 'follower')(event, context)),
    ]);
    const answer = liveAnswer as DynamoDBBatchResponse;
    await Promise.all(
      others.map(({ version }, i) =>
        again(version, answers[i] as DynamoDBBatchResponse, (latest) =>
          missedForGood(latest, answer),
        ),
      ),
    );
    // A version that went live meanwhile missed records: they are delivered again, to every
    // version (the others skip what they have by version).
    return {
      batchItemFailures: [
        ...answer.batchItemFailures,
        ...nowLive.flatMap((missed) => missed.batchItemFailures),
      ],
    };
  };
