import type { DynamoDBStreamEvent } from 'aws-lambda';
import { balanceChanged, created, erased, recordedEvents } from '../../../../test/fixtures/events';
import { InMemoryDataKeys } from '../../../../test/support/in-memory-data-keys';
import { InMemoryReadModelStore } from '../../../../test/support/in-memory-read-model-store';
import { toStreamRecord } from '../../../../test/support/stream-simulation';
import { createHistoryEraser } from '../handlers/history-eraser/history-eraser';
import { createStageProjector } from '../handlers/projector/stage-projector';
import type { ProjectionVersion, UserReadModels } from '../projections';
import { foldUserReadModels } from '../projections';
import { erasureReceiptBody, recordingRestorer, STATS_STEP } from './erasure-receipts';
import type {
  ErasureMark,
  ErasureReceipt,
  ErasureSteps,
  ReadModelRestorer,
  ReadModelStore,
  VersionRecord,
} from './ports';

/** Versions beyond the ones this code knows, as the registry may list them (a later release's). */
const v = (n: number) => n as ProjectionVersion;

/** The steps recorded on receipts, in order, as `<step> <user> v<version>`. */
const recordedSteps = () => {
  const steps: string[] = [];
  const receipts: ErasureSteps = {
    detailHidden: async (userId, version, at) => {
      expect(at).toBeInstanceOf(Date);
      steps.push(`detail hidden ${userId} v${version}`);
      return true;
    },
    historyRewritten: async (userId, version, at) => {
      expect(at).toBeInstanceOf(Date);
      steps.push(`history rewritten ${userId} v${version}`);
      return true;
    },
  };
  return { steps, receipts };
};

/** As recordedSteps, the first `failures` records of a rewrite not made (throttled, stalled). */
const failingFirst = (failures: number) => {
  const recorded = recordedSteps();
  let left = failures;
  const receipts: ErasureSteps = {
    ...recorded.receipts,
    historyRewritten: async (userId, version, at) =>
      left-- > 0 ? false : recorded.receipts.historyRewritten(userId, version, at),
  };
  return { steps: recorded.steps, receipts };
};

const setUp = (
  followers: VersionRecord[],
  stores: Record<number, InMemoryReadModelStore>,
  { steps, receipts } = recordedSteps(),
) => {
  const keys = new InMemoryDataKeys();
  let marks: ErasureMark[] = [];
  const registry = {
    state: async () => ({ live: v(1), followers: structuredClone(followers) }),
    markBehind: async () => true,
    recordErasures: async (versions: ProjectionVersion[], userIds: string[]) => {
      marks.push(...versions.flatMap((version) => userIds.map((userId) => ({ version, userId }))));
    },
    erasureMarks: async () => [...marks],
    clearErasureMark: async (cleared: ErasureMark) => {
      marks = marks.filter(
        (mark) => mark.version !== cleared.version || mark.userId !== cleared.userId,
      );
    },
  };
  const storeOf = (version: ProjectionVersion) => stores[version] as InMemoryReadModelStore;
  const project = createStageProjector({
    registry,
    storeOf,
    keys,
    events: () => ({ eventsOf: async () => [] }),
    receipts,
  });
  const eraser = createHistoryEraser(registry, storeOf, receipts);
  const deliver = (userId: string, history = [created('N', 'n@example.com'), erased]) =>
    project({
      Records: recordedEvents(userId, history).map((event) => toStreamRecord(event, keys)),
    } as DynamoDBStreamEvent);
  const eraserRun = () => eraser({}, { getRemainingTimeInMillis: () => 10_000 });
  return { steps, deliver, eraserRun };
};

describe("an erasure's receipt, as the query side records its steps", () => {
  it('records, for the live version and each it writes, the detail hidden, then the history rewritten', async () => {
    const { steps, deliver } = setUp(
      [
        { version: v(2), state: 'ready' },
        { version: v(3), state: 'building' },
      ],
      {
        1: new InMemoryReadModelStore(),
        2: new InMemoryReadModelStore(),
        3: new InMemoryReadModelStore(),
      },
    );
    expect(await deliver('u1')).toEqual({ batchItemFailures: [] });
    for (const version of [1, 2, 3]) {
      const mine = steps.filter((step) => step.endsWith(`u1 v${version}`));
      expect(mine).toEqual([`detail hidden u1 v${version}`, `history rewritten u1 v${version}`]);
    }
  });

  it('records beside the writes: a slow receipts table never costs a follower its share (marked behind), and the batch waits for the records at its end', async () => {
    const keys = new InMemoryDataKeys();
    const [live, follower] = [new InMemoryReadModelStore(), new InMemoryReadModelStore()];
    const marked: ProjectionVersion[] = [];
    const recorded: string[] = [];
    const slow = async (step: string, version: ProjectionVersion) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      recorded.push(`${step} v${version}`);
      return true;
    };
    const project = createStageProjector({
      registry: {
        state: async () => ({ live: v(1), followers: [{ version: v(2), state: 'ready' }] }),
        markBehind: async (version) => {
          marked.push(version);
          return true;
        },
        recordErasures: async () => {},
      },
      storeOf: (version) => (version === 1 ? live : follower),
      keys,
      events: () => ({ eventsOf: async () => [] }),
      receipts: {
        detailHidden: (_userId, version) => slow('detail hidden', version),
        historyRewritten: (_userId, version) => slow('history rewritten', version),
      },
    });
    // 3 s left: a follower's share is 0.4 s, less than two records of 0.3 s one after the other.
    const answer = await project(
      {
        Records: recordedEvents('u5', [created(), erased]).map((event) =>
          toStreamRecord(event, keys),
        ),
      } as DynamoDBStreamEvent,
      { getRemainingTimeInMillis: () => 3000 },
    );
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(marked).toEqual([]);
    expect(follower.details.get('u5')).toMatchObject({ erased: true, name: null });
    expect(recorded.sort()).toEqual([
      'detail hidden v1',
      'detail hidden v2',
      'history rewritten v1',
      'history rewritten v2',
    ]);
  });

  it('gives up records still stalled shortly before the invocation ends: the batch is answered in time, the rewrite left pending for the eraser', async () => {
    const keys = new InMemoryDataKeys();
    const live = new InMemoryReadModelStore();
    const givenUp: string[] = [];
    /** A receipts table that never answers: a record ends only when it is given up. */
    const stalled =
      (step: string) =>
      (_userId: string, _version: ProjectionVersion, _at: Date, signal?: AbortSignal) =>
        new Promise<boolean>((resolve) => {
          signal?.addEventListener('abort', () => {
            givenUp.push(step);
            resolve(false);
          });
        });
    const project = createStageProjector({
      registry: {
        state: async () => ({ live: v(1), followers: [] }),
        markBehind: async () => true,
        recordErasures: async () => {},
      },
      storeOf: () => live,
      keys,
      events: () => ({ eventsOf: async () => [] }),
      receipts: {
        detailHidden: stalled('detail hidden'),
        historyRewritten: stalled('history rewritten'),
      },
    });
    const answer = await project(
      {
        Records: recordedEvents('u9', [created(), erased]).map((event) =>
          toStreamRecord(event, keys),
        ),
      } as DynamoDBStreamEvent,
      { getRemainingTimeInMillis: () => 1500 },
    );
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(givenUp.sort()).toEqual(['detail hidden', 'history rewritten']);
    expect(live.details.get('u9')).toMatchObject({ erased: true, name: null });
    // Not recorded, so not ended: the history eraser records it on a later run.
    expect(live.erasing.has('u9')).toBe(true);
  });

  it('records nothing for an event that is no erasure', async () => {
    const { steps, deliver } = setUp([], { 1: new InMemoryReadModelStore() });
    await deliver('u2', [created(), balanceChanged(5)]);
    expect(steps).toEqual([]);
  });

  it('records the history rewritten only when it is finished: by the history eraser, for a long history', async () => {
    const live = new InMemoryReadModelStore(1);
    const { steps, deliver, eraserRun } = setUp([], { 1: live });
    await deliver('u3', [created(), ...Array.from({ length: 4 }, () => balanceChanged(1)), erased]);
    expect(steps).toEqual(['detail hidden u3 v1']);
    for (let run = 0; live.erasing.size > 0; run++) {
      expect(steps).toEqual(['detail hidden u3 v1']);
      await eraserRun();
      expect(run).toBeLessThan(10);
    }
    expect(steps).toEqual(['detail hidden u3 v1', 'history rewritten u3 v1']);
    // Further runs find nothing left to do and record nothing more.
    await eraserRun();
    expect(steps).toHaveLength(2);
  });

  it('records the steps of versions the projector does not write (behind, dropped but kept) when the history eraser applies their marks', async () => {
    const named = (userId: string) => ({
      userId,
      name: 'Ada',
      email: 'ada@example.com',
      balance: 0,
      version: 1,
      createdAt: 't',
      updatedAt: 't',
      deleted: false,
      erased: false,
    });
    const behind = new InMemoryReadModelStore();
    const retained = new InMemoryReadModelStore();
    await behind.advance(named('u4'), 0);
    await retained.advance(named('u4'), 0);
    const { steps, deliver, eraserRun } = setUp(
      [
        { version: v(2), state: 'ready', behind: { at: 't', reason: 'r' } },
        { version: v(3), state: 'retained' },
      ],
      { 1: new InMemoryReadModelStore(), 2: behind, 3: retained },
    );
    await deliver('u4');
    expect(steps.filter((step) => !step.endsWith('v1'))).toEqual([]);
    await eraserRun();
    expect(steps.filter((step) => !step.endsWith('v1')).sort()).toEqual([
      'detail hidden u4 v2',
      'detail hidden u4 v3',
    ]);
    // Hidden just now: their rewrite waits for the next run.
    await eraserRun();
    expect(steps.filter((step) => !step.endsWith('v1')).sort()).toEqual([
      'detail hidden u4 v2',
      'detail hidden u4 v3',
      'history rewritten u4 v2',
      'history rewritten u4 v3',
    ]);
    for (const store of [behind, retained]) {
      expect(store.details.get('u4')).toMatchObject({ name: null, email: null, erased: true });
    }
  });
});

describe('a build or a repair, restoring users into a version', () => {
  const modelsOf = (userId: string, history: Parameters<typeof recordedEvents>[1]) =>
    foldUserReadModels(recordedEvents(userId, history));

  it('records both steps for a user it restores erased, once the restore landed, and nothing else', async () => {
    const { steps, receipts } = recordedSteps();
    const restored: string[] = [];
    const restorer: ReadModelRestorer & Pick<ReadModelStore, 'eraseHistoryAgain'> = {
      restoreUser: async ({ detail }) => {
        restored.push(detail.userId);
        if (detail.userId === 'u9') throw new Error('throttled');
      },
      eraseHistoryAgain: async () => {},
    };
    const into = recordingRestorer(restorer, receipts, v(2));
    await into.restoreUser(modelsOf('u7', [created(), erased]));
    await into.restoreUser(modelsOf('u8', [created(), balanceChanged(2)]));
    await expect(into.restoreUser(modelsOf('u9', [created(), erased]))).rejects.toThrow(
      'throttled',
    );
    expect(restored).toEqual(['u7', 'u8', 'u9']);
    expect(steps).toEqual(['detail hidden u7 v2', 'history rewritten u7 v2']);
  });

  it('leaves a rewrite it could not record to the history eraser, and fails the restore of a user it could not leave pending either', async () => {
    const live = new InMemoryReadModelStore();
    const recorded = failingFirst(1);
    const { eraserRun } = setUp([], { 1: live }, recorded);
    // A restore writes the detail whole: nothing is left pending by it.
    const restorer = {
      restoreUser: async ({ detail, history }: UserReadModels) => {
        await live.putHistoryEntries(history);
        live.details.set(detail.userId, detail);
      },
      eraseHistoryAgain: (userId: string) => live.eraseHistoryAgain(userId),
    };
    await recordingRestorer(restorer, recorded.receipts, v(1)).restoreUser(
      modelsOf('u10', [created(), erased]),
    );
    expect(recorded.steps).toEqual(['detail hidden u10 v1']);
    expect(await live.pendingErasures(10)).toEqual(['u10']);
    await eraserRun();
    expect(recorded.steps).toEqual(['detail hidden u10 v1', 'history rewritten u10 v1']);
    expect(live.erasing.size).toBe(0);

    // Two faults in a row: the repair reports the user (to be run again), rather than go on.
    restorer.eraseHistoryAgain = async () => {
      throw new Error('throttled past the retries');
    };
    await expect(
      recordingRestorer(restorer, failingFirst(1).receipts, v(1)).restoreUser(
        modelsOf('u11', [created(), erased]),
      ),
    ).rejects.toThrow('throttled past the retries');
  });
});

describe("GET /erasures/{user_id}'s answer", () => {
  const receipt: ErasureReceipt = {
    userId: 'user-001',
    erasedAt: '2026-12-07T12:00:00.000Z',
    version: 7,
    eventId: 'e-7',
    keyShreddedAt: '2026-12-07T12:00:00.000Z',
    publishedAt: '2026-12-07T12:00:00.400Z',
    detailHiddenAt: { 1: '2026-12-07T12:00:00.300Z', 2: '2026-12-07T12:00:00.310Z' },
    historyRewrittenAt: { 1: '2026-12-07T12:00:01.000Z' },
  };

  it('lists every registered version, a step not recorded as null, and is not complete until every step is', () => {
    const body = erasureReceiptBody(receipt, {
      live: v(2),
      followers: [{ version: v(1), state: 'retained' }],
    });
    expect(body).toEqual({
      user_id: 'user-001',
      erased_at: '2026-12-07T12:00:00.000Z',
      version: 7,
      event_id: 'e-7',
      steps: {
        event_stored: '2026-12-07T12:00:00.000Z',
        key_shredded: '2026-12-07T12:00:00.000Z',
        integration_event_published: '2026-12-07T12:00:00.400Z',
        read_models: [
          {
            projection_version: 1,
            detail_hidden: '2026-12-07T12:00:00.300Z',
            history_rewritten: '2026-12-07T12:00:01.000Z',
          },
          {
            projection_version: 2,
            detail_hidden: '2026-12-07T12:00:00.310Z',
            history_rewritten: null,
          },
        ],
        stats: STATS_STEP,
      },
      complete: false,
      audit: null,
    });
  });

  it('is complete once every registered version has both steps and the event was published', () => {
    const done = {
      ...receipt,
      historyRewrittenAt: { ...receipt.historyRewrittenAt, 2: '2026-12-07T12:00:02.000Z' },
      audit: { at: '2026-12-08T09:00:00.000Z', outcome: 'nothing readable' as const },
    };
    const state = { live: v(1), followers: [{ version: v(2), state: 'ready' as const }] };
    expect(erasureReceiptBody(done, state)).toMatchObject({
      complete: true,
      audit: { at: '2026-12-08T09:00:00.000Z', outcome: 'nothing readable' },
    });
    const { publishedAt: _, ...unpublished } = done;
    expect(erasureReceiptBody(unpublished, state)).toMatchObject({
      steps: { integration_event_published: null },
      complete: false,
    });
    // A version registered since, whose steps are not recorded: not complete.
    expect(
      erasureReceiptBody(done, {
        ...state,
        followers: [...state.followers, { version: v(3), state: 'building' }],
      }).complete,
    ).toBe(false);
  });
});

describe('a rewrite and its record, whatever faults follow one another', () => {
  it('records a rewrite whose record failed on a later run of the history eraser, even when starting the rewrite over fails too', async () => {
    const live = new InMemoryReadModelStore();
    // Two faults in a row: were the rewrite started over to have its record made later, that
    // would fail too.
    live.eraseHistoryAgain = async () => {
      throw new Error('throttled past the retries');
    };
    const { steps, deliver, eraserRun } = setUp([], { 1: live }, failingFirst(2));
    await deliver('u6');
    expect(steps).toEqual(['detail hidden u6 v1']);
    // Rewritten, not recorded: still pending, for the history eraser.
    expect(await live.pendingErasures(10)).toEqual(['u6']);
    await eraserRun();
    expect(steps).toEqual(['detail hidden u6 v1']);
    await eraserRun();
    expect(steps).toEqual(['detail hidden u6 v1', 'history rewritten u6 v1']);
    expect(live.erasing.size).toBe(0);
    await eraserRun();
    expect(steps).toHaveLength(2);
  });

  it('makes the record again when the rewrite recorded could not be ended (the receipt keeps the first time)', async () => {
    const live = new InMemoryReadModelStore();
    const end = live.endErasure.bind(live);
    let failures = 1;
    live.endErasure = async (rewrite) => {
      if (failures-- > 0) throw new Error('throttled past the retries');
      await end(rewrite);
    };
    const { steps, deliver, eraserRun } = setUp([], { 1: live });
    await deliver('u7');
    expect(steps).toEqual(['detail hidden u7 v1', 'history rewritten u7 v1']);
    expect(await live.pendingErasures(10)).toEqual(['u7']);
    await eraserRun();
    expect(steps).toEqual([
      'detail hidden u7 v1',
      'history rewritten u7 v1',
      'history rewritten u7 v1',
    ]);
    expect(live.erasing.size).toBe(0);
  });

  it.each([
    ['the projector', new InMemoryReadModelStore(), 2],
    ['the history eraser', new InMemoryReadModelStore(1), 6],
  ])(
    'keeps the user pending until %s has recorded the rewrite: a crash before the record leaves it to the next run',
    async (_finisher, live, events) => {
      const recorded = recordedSteps();
      const pendingWhenRecorded: boolean[] = [];
      const receipts: ErasureSteps = {
        ...recorded.receipts,
        historyRewritten: async (userId, version, at) => {
          pendingWhenRecorded.push((await live.pendingErasures(10)).includes(userId));
          return recorded.receipts.historyRewritten(userId, version, at);
        },
      };
      const { deliver, eraserRun } = setUp([], { 1: live }, { ...recorded, receipts });
      await deliver('u8', [
        created(),
        ...Array.from({ length: events - 2 }, () => balanceChanged(1)),
        erased,
      ]);
      for (let run = 0; live.erasing.size > 0; run++) {
        await eraserRun();
        expect(run).toBeLessThan(10);
      }
      expect(pendingWhenRecorded).toEqual([true]);
      expect(recorded.steps).toContain('history rewritten u8 v1');
    },
  );
});
