import { decodeEvent, type RecordedEvent, SCHEMA_VERSION, type UserEvent } from '@users/shared';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import {
  balanceChanged,
  created,
  erasureCancelled,
  erasureRequested,
  recordedEvents,
} from '../../../../../test/fixtures/events';
import { emfWrittenBy } from '../../../../../test/support/emf';
import { InMemoryDataKeys } from '../../../../../test/support/in-memory-data-keys';
import { InMemoryReadModelStore } from '../../../../../test/support/in-memory-read-model-store';
import {
  deliver,
  deliveryArbitrary,
  encodeStoredEvent,
  historiesArbitrary,
  toStreamRecord,
} from '../../../../../test/support/stream-simulation';
import { finishErasures } from '../../application/finish-erasures';
import { readableDetail, readableHistory } from '../../application/reading-rules';
import { foldUserReadModels } from '../../projections';
import { projectorMetrics } from './metrics';
import { createProjector } from './projector';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const itemTooLarge = () =>
  Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
    name: 'ValidationException',
  });

const decodeAll = (events: RecordedEvent[], keys: InMemoryDataKeys) =>
  Promise.all(events.map((event) => decodeEvent(encodeStoredEvent(event, keys), keys)));

/** The oracle of a pending erasure: the last one requested, unless cancelled or carried out. */
const pendingErasureOf = (events: RecordedEvent[]) =>
  events.reduce<string | undefined>((pending, event) => {
    if (event.type === 'USER_ERASURE_REQUESTED') return event.payload.erase_after;
    if (event.type === 'USER_ERASURE_CANCELLED' || event.type === 'USER_ERASED') return undefined;
    return pending;
  }, undefined);

describe('the projector', () => {
  it('ends in exactly the fold of each user, whatever the duplicates, reordering, batching, erasures and erasure requests', async () => {
    await fc.assert(
      fc.asyncProperty(
        historiesArbitrary('user', { erasureRequests: true }),
        deliveryArbitrary,
        fc.boolean(),
        async (histories, delivery, keysGoneBeforeProjection) => {
          const keys = new InMemoryDataKeys();
          const records = histories.flat().map((event) => toStreamRecord(event, keys));
          const erasedUsers = histories
            .filter((events) => events.at(-1)?.type === 'USER_ERASED')
            .map((events) => (events[0] as RecordedEvent).userId);
          // An erasure deletes the key with its event: the projector may read the user's earlier
          // events before (a warm cache) or after that.
          if (keysGoneBeforeProjection) for (const userId of erasedUsers) keys.erase(userId);
          // Each invocation rewrites at most two entries of an erased user's history: the
          // history eraser finishes the rest, and queries show none of it meanwhile.
          const store = new InMemoryReadModelStore(2);
          await deliver(createProjector(store, keys), records, delivery);
          for (const userId of erasedUsers) keys.erase(userId);
          for (let run = 0; store.erasing.size > 0; run++) {
            if (run > 100) throw new Error('the history eraser made no progress');
            await finishErasures(store, Number.POSITIVE_INFINITY);
          }

          for (const events of histories) {
            const userId = (events[0] as RecordedEvent).userId;
            const stored = {
              detail: store.details.get(userId),
              history: events.map((event) => store.history.get(`${userId}#${event.version}`)),
            };
            // A rebuild (the fold of the decoded history) arrives at the very same read models.
            expect(stored).toEqual(foldUserReadModels(await decodeAll(events, keys)));
            expect(stored.detail?.erasurePendingUntil).toBe(pendingErasureOf(events));
            if (erasedUsers.includes(userId)) {
              expect(JSON.stringify(stored)).not.toMatch(new RegExp(`Zed|Ann|Bea|Cy|${userId}@`));
            }
          }
          expect(store.history.size).toBe(histories.flat().length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never brings back an erasure request that was cancelled, however often it is delivered again', async () => {
    const store = new InMemoryReadModelStore();
    const keys = new InMemoryDataKeys();
    const project = createProjector(store, keys);
    const due = '2027-01-01T00:00:00.000Z';
    const [creation, request, cancellation] = recordedEvents('grace', [
      created('G', 'g@example.com'),
      erasureRequested(due),
      erasureCancelled(due),
    ]).map((event) => toStreamRecord(event, keys));
    const batch = (...records: (DynamoDBRecord | undefined)[]) =>
      project({ Records: records } as DynamoDBStreamEvent);

    await batch(creation, request, request);
    expect(store.details.get('grace')).toMatchObject({ version: 2, erasurePendingUntil: due });
    const pending = store.details.get('grace');
    await batch(request);
    expect(store.details.get('grace')).toEqual(pending);

    await batch(cancellation);
    const cancelled = store.details.get('grace');
    await batch(request, creation, cancellation, request);
    expect(store.details.get('grace')).toEqual(cancelled);
    expect(cancelled).toMatchObject({ version: 3, deleted: false, erased: false });
    expect(cancelled).not.toHaveProperty('erasurePendingUntil');
    expect(store.history.get('grace#2')).toMatchObject({
      eventType: 'USER_ERASURE_REQUESTED',
      payload: { erase_after: due },
      detailAfter: { erasurePendingUntil: due },
    });
  });

  it("answers as soon as the read models are written, whatever the console's feed: the shard's next batch never waits for it", async () => {
    const store = new InMemoryReadModelStore();
    store.addToFeed = () => new Promise(() => {});
    const keys = new InMemoryDataKeys();
    const records = recordedEvents('feed-user', [created('A', 'a@example.com')]).map((event) =>
      toStreamRecord(event, keys),
    );
    const started = Date.now();
    const answer = await createProjector(store, keys)({ Records: records } as DynamoDBStreamEvent, {
      getRemainingTimeInMillis: () => 60_000,
    });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(store.details.get('feed-user')?.version).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  }, 5000);

  it('reports only the poison record of a batch as failed and projects the rest', async () => {
    const store = new InMemoryReadModelStore();
    const keys = new InMemoryDataKeys();
    const project = createProjector(store, keys);
    const event = (userId: string, version: number, body: object) =>
      recordedEvents(userId, [body as UserEvent], { firstVersion: version })[0] as RecordedEvent;
    const create = created('N', 'n@example.com');
    const poison = toStreamRecord(event('p', 1, { ...create, payload: { name: '' } }), keys);
    const records = [
      toStreamRecord(event('a', 1, create), keys),
      poison,
      toStreamRecord(event('a', 2, { type: 'USER_PROMOTED', payload: { level: 2 } }), keys),
      toStreamRecord(event('a', 3, { type: 'USER_BALANCE', payload: { delta: 4 } }), keys),
      toStreamRecord(event('b', 1, create), keys),
    ];

    const response = await project({ Records: records } as DynamoDBStreamEvent);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: poison.dynamodb?.SequenceNumber },
    ]);
    expect([...store.details.keys()].sort()).toEqual(['a', 'b']);
    // The unknown USER_PROMOTED is skipped without blocking the event after it.
    expect(store.details.get('a')).toMatchObject({ version: 3, balance: 4 });
  });

  it('counts in its metrics (EMF) the events applied with their lag, and a batch with a failure', async () => {
    const keys = new InMemoryDataKeys();
    const [good, poisoned] = [
      recordedEvents('metrics-good', [created('N', 'n@example.com'), balanceChanged(2)]),
      recordedEvents('metrics-poisoned', [
        { ...created('N', 'n@example.com'), payload: {} } as UserEvent,
      ]),
    ] as RecordedEvent[][];
    const records = [...(good ?? []), ...(poisoned ?? [])].map((e) => toStreamRecord(e, keys));
    const project = createProjector(
      new InMemoryReadModelStore(),
      keys,
      undefined,
      projectorMetrics,
    );
    const { metrics, text, result } = await emfWrittenBy(project, {
      Records: records,
    } as DynamoDBStreamEvent);
    expect(result?.batchItemFailures).toHaveLength(1);
    expect(Object.fromEntries(metrics)).toMatchObject({ EventsApplied: [2], BatchFailures: [1] });
    expect(metrics.get('ProjectionLag')).toHaveLength(2);
    expect(text).not.toContain('metrics-');
  });

  it('reports an event of a newer schema version failed, to be retried, never guessing at it', async () => {
    const store = new InMemoryReadModelStore();
    const keys = new InMemoryDataKeys();
    const [first, second] = recordedEvents('n', [
      created('N', 'n@example.com'),
      created('M', 'm@example.com'),
    ]) as [RecordedEvent, RecordedEvent];
    const future = toStreamRecord(second, keys);
    const image = future.dynamodb?.NewImage as Record<string, { N?: string }>;
    image.SchemaVersion = { N: String(SCHEMA_VERSION + 1) };
    const response = await createProjector(
      store,
      keys,
    )({ Records: [toStreamRecord(first, keys), future] } as DynamoDBStreamEvent);
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: future.dynamodb?.SequenceNumber },
    ]);
    expect(store.details.get('n')?.version).toBe(1);
  });

  describe("keeps one user's trouble to that user", () => {
    const keys = new InMemoryDataKeys();
    const create = created('N', 'n@example.com');
    const batchOf = (...events: RecordedEvent[]) =>
      ({ Records: events.map((event) => toStreamRecord(event, keys)) }) as DynamoDBStreamEvent;
    const first = (userId: string, body: object = create) =>
      recordedEvents(userId, [body as UserEvent])[0] as RecordedEvent;

    it("projects the others when one user's events cannot be folded", async () => {
      const store = new InMemoryReadModelStore();
      const unfoldable = first('p', { type: 'USER_BALANCE', payload: { delta: 1 } });
      const batch = batchOf(first('a'), unfoldable, first('b'));

      const response = await createProjector(store, keys)(batch);

      expect(response.batchItemFailures).toEqual([
        { itemIdentifier: batch.Records[1]?.dynamodb?.SequenceNumber },
      ]);
      expect([...store.details.keys()].sort()).toEqual(['a', 'b']);
    });

    it("projects the others when DynamoDB refuses one user's history entry", async () => {
      const store = new InMemoryReadModelStore();
      const putHistoryEntries = store.putHistoryEntries.bind(store);
      store.putHistoryEntries = async (entries) => {
        if (entries.some((entry) => entry.userId === 'big')) throw itemTooLarge();
        return putHistoryEntries(entries);
      };
      const batch = batchOf(first('a'), first('big'), first('b'));

      const response = await createProjector(store, keys)(batch);

      expect(response.batchItemFailures).toEqual([
        { itemIdentifier: batch.Records[1]?.dynamodb?.SequenceNumber },
      ]);
      expect([...store.details.keys()].sort()).toEqual(['a', 'b']);
      expect(store.history.has('big#1')).toBe(false);
    });
  });

  describe('never leaves personal data behind an erasure', () => {
    const keys = new InMemoryDataKeys();
    const [createdEvent, erasure] = recordedEvents('e', [
      created('Zed', 'zed@example.com'),
      { type: 'USER_ERASED', payload: {} } as UserEvent,
    ]) as [RecordedEvent, RecordedEvent];
    const recordsOf = (...events: RecordedEvent[]) =>
      ({ Records: events.map((event) => toStreamRecord(event, keys)) }) as DynamoDBStreamEvent;
    const personalData = (store: InMemoryReadModelStore) =>
      JSON.stringify([...store.history.values()]).match(/Zed|zed@/);

    /** A slow invocation that read the user before its retry applied both events, and writes after. */
    const overtakenBy = (store: InMemoryReadModelStore) => {
      const slowStore = new InMemoryReadModelStore();
      let reads = 0;
      slowStore.getDetails = async (userIds) =>
        reads++ === 0 ? new Map() : store.getDetails(userIds);
      slowStore.advance = (detail, previousVersion) => store.advance(detail, previousVersion);
      slowStore.eraseHistory = (userId) => store.eraseHistory(userId);
      slowStore.eraseHistoryAgain = (userId) => store.eraseHistoryAgain(userId);
      slowStore.markErased = (userId) => store.markErased(userId);
      slowStore.putHistoryEntries = (entries) => store.putHistoryEntries(entries);
      return slowStore;
    };

    it("erases again when the overtaken invocation's checkpoint write fails", async () => {
      const store = new InMemoryReadModelStore();
      await createProjector(store, keys)(recordsOf(createdEvent, erasure));

      const response = await createProjector(overtakenBy(store), keys)(recordsOf(createdEvent));

      expect(response.batchItemFailures).toHaveLength(1);
      expect(store.history.get('e#1')).toMatchObject({ version: 1 });
      // The rewrite starts over: the history eraser's next run finds it.
      expect(store.erasing.get('e')).toBe(0);
      await finishErasures(store, Number.POSITIVE_INFINITY);
      expect(personalData(store)).toBeNull();
    });

    it("erases again when the overtaken invocation's entry writes fail", async () => {
      const store = new InMemoryReadModelStore();
      await createProjector(store, keys)(recordsOf(createdEvent, erasure));
      const slowStore = overtakenBy(store);
      slowStore.putHistoryEntries = async (entries) => {
        await store.putHistoryEntries(entries);
        throw new Error('connection reset after the write');
      };

      const response = await createProjector(slowStore, keys)(recordsOf(createdEvent));

      expect(response.batchItemFailures).toHaveLength(1);
      await finishErasures(store, Number.POSITIVE_INFINITY);
      expect(personalData(store)).toBeNull();
    });

    it('hides the user as soon as it holds the erasure, before it can apply it in order', async () => {
      const store = new InMemoryReadModelStore();
      const [made, renamed, balanced, erasedLast] = recordedEvents('h', [
        created('Zed', 'zed@example.com'),
        { type: 'USER_UPDATED', payload: { name: 'Zoe' } } as UserEvent,
        { type: 'USER_BALANCE', payload: { delta: 3 } } as UserEvent,
        { type: 'USER_ERASED', payload: {} } as UserEvent,
      ]) as [RecordedEvent, RecordedEvent, RecordedEvent, RecordedEvent];
      await createProjector(store, keys)(recordsOf(made, renamed));
      // Version 3 is late (or lost): the erasure, version 4, cannot be applied yet.
      const response = await createProjector(store, keys)(recordsOf(erasedLast));
      expect(response.batchItemFailures).toHaveLength(1);
      const current = await store.getDetail('h');
      const shown = [
        readableDetail(current),
        readableDetail(current, { version: 1, entry: store.history.get('h#1') ?? null }),
        readableHistory(current, [...store.history.values()]),
      ];
      expect(JSON.stringify(shown)).not.toMatch(/Zed|Zoe|zed@/);
      expect(shown.slice(0, 2)).toEqual([null, null]);
      // The late event comes: the user ends exactly as the fold says.
      await createProjector(store, keys)(recordsOf(balanced, erasedLast));
      await finishErasures(store, Number.POSITIVE_INFINITY);
      expect(store.details.get('h')).toEqual(
        foldUserReadModels(await decodeAll([made, renamed, balanced, erasedLast], keys)).detail,
      );
      expect(personalData(store)).toBeNull();
    });

    it('hides the user even when the erasure waits behind an event it cannot read yet', async () => {
      const store = new InMemoryReadModelStore();
      const [made, future, erasedLast] = recordedEvents('f', [
        created('Zed', 'zed@example.com'),
        { type: 'USER_BALANCE', payload: { delta: 1 } } as UserEvent,
        { type: 'USER_ERASED', payload: {} } as UserEvent,
      ]) as [RecordedEvent, RecordedEvent, RecordedEvent];
      await createProjector(store, keys)(recordsOf(made));
      const unreadable = toStreamRecord(future, keys);
      (unreadable.dynamodb?.NewImage as Record<string, { N?: string }>).SchemaVersion = { N: '9' };
      const response = await createProjector(
        store,
        keys,
      )({
        Records: [unreadable, toStreamRecord(erasedLast, keys)],
      } as DynamoDBStreamEvent);
      expect(response.batchItemFailures).toHaveLength(1);
      expect(store.details.get('f')).toMatchObject({ version: 1, name: null, erased: true });
    });

    it('lets no write of the batch land after the erasure that follows it', async () => {
      const store = new InMemoryReadModelStore();
      const putHistoryEntries = store.putHistoryEntries.bind(store);
      store.putHistoryEntries = async (entries) => {
        await pause(entries.length > 2 ? 50 : 0);
        if (entries.some((entry) => entry.userId === 'x')) throw itemTooLarge();
        return putHistoryEntries(entries);
      };
      const other = recordedEvents('x', [created('X', 'x@example.com')])[0] as RecordedEvent;

      await createProjector(store, keys)(recordsOf(createdEvent, erasure, other));
      await pause(100);

      expect(store.details.get('e')).toMatchObject({ erased: true });
      expect(personalData(store)).toBeNull();
    });
  });
});
