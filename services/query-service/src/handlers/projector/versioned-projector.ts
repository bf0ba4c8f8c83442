import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { eventPosition, logger } from '@users/shared';
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import type { ProjectionRegistry, VersionRecord } from '../../application/ports';
import type { ProjectionVersion } from '../../projections';

type Projector = (
  event: DynamoDBStreamEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<DynamoDBBatchResponse>;

/**
 * How a version is written: `live` answers for the batch; a `follower` is written in full and
 * catches a user up from the event store across a gap; a version `building` leaves the users it
 * has not reached, and any gap, to its build (which ends by catching up every user the live
 * version is ahead on).
 */
export type Role = 'live' | 'follower' | 'building';

/** Tries of a batch a follower gets beyond the first before it is marked behind. */
const FOLLOWER_ATTEMPTS = 2;

/** Time kept back from the function's timeout for the last writes and the answer. */
const SAFETY_MS = 2000;

/**
 * The share of an invocation's time its followers may take: the live answer never waits for
 * them past it, and what they have not done by then marks them behind in time.
 */
const FOLLOWERS_SHARE = 0.4;

/** An invocation's time where no context says it (tests). */
export const DEFAULT_REMAINING_MS = 10_000;

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

/** The users the batch erases: read off the stored items' plain fields, nothing decoded. */
const erasedUsersOf = (records: DynamoDBRecord[]) => {
  const users = new Set<string>();
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item.EventType === 'USER_ERASED') users.add(eventPosition(item).userId);
  }
  return [...users];
};

/**
 * A follower's answer, or undefined when it had not answered by `deadline`: then its requests
 * are given up (the signal aborts them) and nothing of it goes on after the invocation.
 */
const byDeadline = async (
  deadline: number,
  run: (signal: AbortSignal) => Promise<DynamoDBBatchResponse>,
): Promise<DynamoDBBatchResponse | undefined> => {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([run(controller.signal).catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
};

/** Whether `work` succeeded by `deadline`; a failure or no answer by then is false. */
const settledBy = async (deadline: number, work: Promise<unknown>): Promise<boolean> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([
      work.then(
        (done) => done !== false,
        (error: unknown) => {
          logger.warn('the projection registry did not answer; the batch comes again', { error });
          return false;
        },
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
};

const roleOf = (record: VersionRecord): Role =>
  record.state === 'building' ? 'building' : 'follower';

/**
 * Applies each batch to every projection version the registry lists: the live one, whose answer
 * is the batch's (so only its failures hold the stream back), and its followers, each in tables
 * of its own, within the first share of the invocation's time. A follower that misses what the
 * live version applied, or is not done by then, is marked behind (it may not become live until
 * built again) rather than slowing the live version down. The target of a switch being prepared
 * goes first, in full: it is never behind what a reader of the live version has seen
 * (docs/projections.md). Erasures are recorded for every version that is not live before
 * anything is written, so that they reach a version whatever happens to it (behind, dropped but
 * kept, cut off).
 */
export const createVersionedProjector =
  (
    registry: ProjectionRegistry,
    projectorOf: (version: ProjectionVersion, role: Role, signal?: AbortSignal) => Projector,
  ) =>
  async (
    event: DynamoDBStreamEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<DynamoDBBatchResponse> => {
    const remaining = context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS;
    const liveDeadline = Date.now() + remaining - SAFETY_MS;
    const followersDeadline = Date.now() + (remaining - SAFETY_MS) * FOLLOWERS_SHARE;
    const followerContext = {
      getRemainingTimeInMillis: () => followersDeadline + SAFETY_MS - Date.now(),
    };
    const { live, followers } = await registry.state();
    // Recorded beside the live version's work, never ahead of it: a throttled registry must not
    // hold back the live version's erasure. Not recorded by the end: the batch comes again.
    const erased = followers.length > 0 ? erasedUsersOf(event.Records) : [];
    const marked =
      erased.length === 0
        ? Promise.resolve(true)
        : settledBy(
            liveDeadline,
            registry.recordErasures(
              followers.map((f) => f.version),
              erased,
            ),
          );
    const written = followers.filter((f) => !f.behind && f.state !== 'retained');
    const follow = (record: VersionRecord) =>
      byDeadline(followersDeadline, (signal) =>
        projectorOf(record.version, roleOf(record), signal)(event, followerContext),
      );
    /** Versions that went live while this batch ran, with the records they missed. */
    const nowLive: DynamoDBBatchResponse[] = [];
    const fallBehind = async (version: ProjectionVersion, answer?: DynamoDBBatchResponse) => {
      const reason = answer
        ? `${answer.batchItemFailures.length} record(s) not applied`
        : 'not done within its share of the invocation';
      logger.warn('a projection version fell behind; build it again', { version, reason });
      // Not marked (a switch made it live meanwhile, or the registry did not answer in time):
      // the batch comes again, to every version.
      if (!(await settledBy(liveDeadline + SAFETY_MS / 2, registry.markBehind(version, reason)))) {
        nowLive.push(answer ?? { batchItemFailures: event.Records.map(failureOf) });
      }
    };
    /**
     * The batch again, for a follower that missed some of it: most misses are a race lost to a
     * build writing the same user (its write moved the detail first), which the next try wins.
     * Events already applied are skipped by version.
     */
    const again = async (
      record: VersionRecord,
      answer: DynamoDBBatchResponse | undefined,
      missed: (answer: DynamoDBBatchResponse) => boolean,
    ) => {
      let latest = answer;
      for (
        let attempt = 0;
        attempt < FOLLOWER_ATTEMPTS && latest && missed(latest) && Date.now() < followersDeadline;
        attempt++
      ) {
        latest = await follow(record);
      }
      if (!latest || missed(latest)) await fallBehind(record.version, latest);
    };
    for (const record of written.filter((f) => f.switching)) {
      await again(record, await follow(record), (latest) => latest.batchItemFailures.length > 0);
    }
    const others = written.filter((f) => !f.switching);
    const [liveAnswer, ...answers] = await Promise.all([
      // The live version too stops at its deadline (a throttled table, stalled answers): the
      // batch is then delivered again, rather than the invocation cut off by its timeout.
      byDeadline(liveDeadline, (signal) => projectorOf(live, 'live', signal)(event, context)),
      ...others.map(follow),
    ]);
    const answer = liveAnswer ?? { batchItemFailures: event.Records.map(failureOf) };
    await Promise.all(
      others.map((record, i) =>
        again(record, answers[i], (latest) => missedForGood(latest, answer)),
      ),
    );
    if (!(await marked)) nowLive.push({ batchItemFailures: event.Records.map(failureOf) });
    // A version that went live meanwhile missed records: they are delivered again, to every
    // version (the others skip what they have by version).
    const failures = new Map(
      [answer, ...nowLive]
        .flatMap((missed) => missed.batchItemFailures)
        .map((failure) => [failure.itemIdentifier, failure]),
    );
    return { batchItemFailures: [...failures.values()] };
  };

const failureOf = (record: DynamoDBRecord) => ({
  itemIdentifier: record.dynamodb?.SequenceNumber as string,
});
