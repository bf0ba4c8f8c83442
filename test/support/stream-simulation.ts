import { marshall } from '@aws-sdk/util-dynamodb';
import { encodeEvent, type RecordedEvent, type UserEvent } from '@users/shared';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import type { createProjector } from '../../services/query-service/src/handlers/projector/projector';
import {
  balanceChanged,
  created,
  deleted,
  erased,
  erasureCancelled,
  erasureRequested,
  recordedEvents,
  updated,
} from '../fixtures/events';
import type { InMemoryDataKeys } from './in-memory-data-keys';

/** Test support: user histories as the event store would hold them, and a misbehaving stream. */

type Step =
  | { type: 'USER_BALANCE'; delta: number }
  | { type: 'USER_UPDATED'; name: string }
  | { type: 'DELETE' }
  | { type: 'ERASE' }
  | { type: 'REQUEST_ERASURE' }
  | { type: 'CANCEL_ERASURE' };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .integer({ min: -50, max: 50 })
      .filter((d) => d !== 0)
      .map((delta) => ({ type: 'USER_BALANCE' as const, delta })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('Ann', 'Bea', 'Cy')
      .map((name) => ({ type: 'USER_UPDATED' as const, name })),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'DELETE' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'ERASE' as const }) },
);

/** The steps above, and erasures requested with a grace period and cancelled. */
const stepWithErasureRequestsArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: stepArbitrary },
  { weight: 2, arbitrary: fc.constant({ type: 'REQUEST_ERASURE' as const }) },
  { weight: 2, arbitrary: fc.constant({ type: 'CANCEL_ERASURE' as const }) },
);

/**
 * A user's story as the write side allows it: it stops at an erasure; a deletion is followed by
 * nothing but erasure requests, cancellations and an erasure; while an erasure is pending, by
 * nothing but its cancellation or the erasure.
 */
const toEvents = (userId: string, steps: Step[]): RecordedEvent[] => {
  const bodies: UserEvent[] = [created('Zed', `${userId}@example.com`)];
  let deletedYet = false;
  let pendingUntil: string | undefined;
  for (const step of steps) {
    if (step.type === 'ERASE') {
      bodies.push(erased);
      break;
    }
    if (step.type === 'REQUEST_ERASURE' && !pendingUntil) {
      // A due date of its own per request: a cancellation names the one it calls off.
      pendingUntil = new Date(Date.UTC(2027, 0, 1, 0, 0, bodies.length)).toISOString();
      bodies.push(erasureRequested(pendingUntil));
    } else if (step.type === 'CANCEL_ERASURE' && pendingUntil) {
      bodies.push(erasureCancelled(pendingUntil));
      pendingUntil = undefined;
    } else if (!deletedYet && !pendingUntil) {
      if (step.type === 'USER_BALANCE') bodies.push(balanceChanged(step.delta));
      else if (step.type === 'USER_UPDATED') bodies.push(updated({ name: step.name }));
      else if (step.type === 'DELETE') {
        bodies.push(deleted);
        deletedYet = true;
      }
    }
  }
  return recordedEvents(userId, bodies, { correlationId: 'sim' });
};

/**
 * Several users, each with a valid history starting at USER_CREATED; with `erasureRequests`,
 * erasures requested and cancelled among their events.
 */
export const historiesArbitrary = (prefix: string, { erasureRequests = false } = {}) =>
  fc
    .array(
      fc.array(erasureRequests ? stepWithErasureRequestsArbitrary : stepArbitrary, {
        maxLength: 12,
      }),
      { minLength: 1, maxLength: 5 },
    )
    .map((perUser) => perUser.map((steps, i) => toEvents(`${prefix}-${i}`, steps)));

/**
 * The stream record of an event as the command service stores it: personal fields sealed under
 * the user's key in `keys` (made if needed).
 */
let sequence = 0;
export const toStreamRecord = (event: RecordedEvent, keys: InMemoryDataKeys): DynamoDBRecord => ({
  eventID: String(++sequence),
  eventName: 'INSERT',
  dynamodb: {
    SequenceNumber: String(sequence).padStart(21, '0'),
    NewImage: marshall(encodeStoredEvent(event, keys)) as NonNullable<
      DynamoDBRecord['dynamodb']
    >['NewImage'],
  },
});

/** The item the command service writes for an event (its snapshot left out: the read side ignores it). */
export const encodeStoredEvent = (event: RecordedEvent, keys: InMemoryDataKeys) =>
  encodeEvent(event, { state: {}, stateVersion: 1 }, keys.keyFor(event.userId));

/** Delivery plan: which records, in what (locally shuffled) order, with duplicates, in what batches. */
export const deliveryArbitrary = fc.record({
  seed: fc.integer(),
  duplicateRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
  shuffleWindow: fc.integer({ min: 1, max: 6 }),
  batchSize: fc.integer({ min: 1, max: 10 }),
});

type Delivery = { seed: number; duplicateRate: number; shuffleWindow: number; batchSize: number };

const random = (seed: number) => {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
};

/**
 * Feeds every record to the projector at least once, as a DynamoDB stream with at-least-once
 * delivery would: duplicated, reordered within a window, split into batches. Records the
 * projector reports failed (and all after them in the batch, as Lambda does) come back later.
 */
export const deliver = async (
  project: ReturnType<typeof createProjector>,
  records: DynamoDBRecord[],
  { seed, duplicateRate, shuffleWindow, batchSize }: Delivery,
) => {
  const next = random(seed);
  const queue = records.flatMap((record) => (next() < duplicateRate ? [record, record] : [record]));
  for (let i = 0; i < queue.length; i++) {
    const j = Math.min(queue.length - 1, i + Math.floor(next() * shuffleWindow));
    [queue[i], queue[j]] = [queue[j] as DynamoDBRecord, queue[i] as DynamoDBRecord];
  }
  let rounds = 0;
  while (queue.length > 0) {
    if (++rounds > 10_000) throw new Error('the projector made no progress');
    const batch = queue.splice(0, batchSize);
    const { batchItemFailures } = await project({ Records: batch } as DynamoDBStreamEvent);
    const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
    const firstFailed = batch.findIndex((record) =>
      failed.has(record.dynamodb?.SequenceNumber as string),
    );
    if (firstFailed === -1) continue;
    for (const record of batch.slice(firstFailed)) {
      queue.splice(1 + Math.floor(next() * queue.length), 0, record);
    }
  }
};
