import type { DynamoDBStreamEvent } from 'aws-lambda';
import {
  balanceChanged,
  created,
  erased,
  recordedEvents,
} from '../../../../../test/fixtures/events';
import { InMemoryDataKeys } from '../../../../../test/support/in-memory-data-keys';
import { InMemoryReadModelStore } from '../../../../../test/support/in-memory-read-model-store';
import { toStreamRecord } from '../../../../../test/support/stream-simulation';
import type { ProjectionState, VersionRecord } from '../../application/ports';
import type { ProjectionVersion } from '../../projections';
import { createProjector } from './projector';
import { createStageProjector } from './stage-projector';
import { createVersionedProjector } from './versioned-projector';

/** A store whose detail writes fail: a version whose tables are throttled, or whose code is wrong. */
class FailingStore extends InMemoryReadModelStore {
  override async advance(): Promise<boolean> {
    throw new Error('ProvisionedThroughputExceededException');
  }
}

const setUp = (
  followers: VersionRecord[],
  stores: Record<number, InMemoryReadModelStore>,
  { switchedMeanwhile = false } = {},
) => {
  const keys = new InMemoryDataKeys();
  const state: ProjectionState = { live: 1, followers };
  const writes: string[] = [];
  const marked: ProjectionVersion[] = [];
  const registry = {
    state: async () => structuredClone(state),
    recordErasures: async (versions: ProjectionVersion[], userIds: string[]) => {
      writes.push(`erasures of ${userIds.join()} for ${versions.join()}`);
    },
    markBehind: async (version: ProjectionVersion) => {
      // A switch to this version committed while the batch ran: it is live, never behind.
      if (switchedMeanwhile) return false;
      writes.push(`behind ${version}`);
      marked.push(version);
      for (const follower of state.followers)
        if (follower.version === version) follower.behind = { at: 'now', reason: 'test' };
      return true;
    },
  };
  for (const [version, store] of Object.entries(stores)) {
    const advance = store.advance.bind(store);
    store.advance = async (detail, previous) => {
      writes.push(`write ${version}`);
      return advance(detail, previous);
    };
  }
  const project = createVersionedProjector(registry, (version) =>
    createProjector(stores[version] as InMemoryReadModelStore, keys),
  );
  /** The stage's own wiring: what each role reads and writes (stage-projector.ts). */
  const stageProject = (events: { eventsOf: () => Promise<never[]> }) =>
    createStageProjector({
      registry,
      storeOf: (version) => stores[version] as InMemoryReadModelStore,
      keys,
      events: () => events,
    });
  const batch = (userId: string) =>
    ({
      Records: recordedEvents(userId, [created('N', 'n@example.com'), balanceChanged(3)]).map(
        (event) => toStreamRecord(event, keys),
      ),
    }) as DynamoDBStreamEvent;
  return { project, stageProject, batch, writes, marked, state, keys };
};

describe('the projector of several projection versions', () => {
  it('keeps each version in its own tables, and answers for the live one', async () => {
    const [live, next] = [new InMemoryReadModelStore(), new InMemoryReadModelStore()];
    const { project, batch } = setUp([{ version: 2, state: 'building' }], { 1: live, 2: next });
    expect(await project(batch('u1'))).toEqual({ batchItemFailures: [] });
    expect(next.details.get('u1')).toEqual(live.details.get('u1'));
    expect(live.details.get('u1')).toMatchObject({ version: 2, balance: 3 });
  });

  it("never lets a follower's failure hold the live version back: the follower is marked behind", async () => {
    const live = new InMemoryReadModelStore();
    const { project, batch, marked } = setUp([{ version: 2, state: 'ready' }], {
      1: live,
      2: new FailingStore(),
    });
    expect(await project(batch('u2'))).toEqual({ batchItemFailures: [] });
    expect(live.details.get('u2')?.version).toBe(2);
    expect(marked).toEqual([2]);
  });

  it('does not mark a follower behind for records the live version failed too: they come again', async () => {
    const { project, batch, marked } = setUp([{ version: 2, state: 'ready' }], {
      1: new FailingStore(),
      2: new FailingStore(),
    });
    const answer = await project(batch('u3'));
    expect(answer.batchItemFailures).toHaveLength(1);
    expect(marked).toEqual([]);
  });

  it('writes the target of a switch first, tries again, and marks it behind before the live version moves', async () => {
    const { project, batch, writes } = setUp([{ version: 2, state: 'ready', switching: true }], {
      1: new InMemoryReadModelStore(),
      2: new FailingStore(),
    });
    await project(batch('u4'));
    expect(writes).toEqual(['write 2', 'write 2', 'write 2', 'behind 2', 'write 1']);
  });

  it('fails the batch, to be delivered again, when the target it could not write went live meanwhile', async () => {
    const live = new InMemoryReadModelStore();
    const { project, batch, marked } = setUp(
      [{ version: 2, state: 'ready', switching: true }],
      { 1: live, 2: new FailingStore() },
      { switchedMeanwhile: true },
    );
    const answer = await project(batch('u7'));
    expect(answer.batchItemFailures).toHaveLength(1);
    expect(marked).toEqual([]);
    // The version that was live (now the one to switch back to) is written as usual.
    expect(live.details.get('u7')?.version).toBe(2);
  });

  it('gives a follower that lost a race (a build wrote the user first) another try before it is behind', async () => {
    const next = new InMemoryReadModelStore();
    const advance = next.advance.bind(next);
    let raced = false;
    next.advance = async (detail, previous) => {
      if (!raced) {
        raced = true;
        return false; // another writer moved the detail first
      }
      return advance(detail, previous);
    };
    const live = new InMemoryReadModelStore();
    const { project, batch, marked } = setUp([{ version: 2, state: 'building' }], {
      1: live,
      2: next,
    });
    expect(await project(batch('u6'))).toEqual({ batchItemFailures: [] });
    expect(marked).toEqual([]);
    expect(next.details.get('u6')).toEqual(live.details.get('u6'));
  });

  it('no longer writes a version marked behind (until it is built again)', async () => {
    const next = new InMemoryReadModelStore();
    const { project, batch } = setUp(
      [{ version: 2, state: 'ready', behind: { at: 'then', reason: 'test' } }],
      { 1: new InMemoryReadModelStore(), 2: next },
    );
    await project(batch('u5'));
    expect(next.details.size).toBe(0);
  });

  it("answers within the followers' share of the invocation when a follower stalls, and marks it behind", async () => {
    const live = new InMemoryReadModelStore();
    const stalled = new InMemoryReadModelStore();
    stalled.putHistoryEntries = () => new Promise(() => {});
    const { project, batch, marked } = setUp([{ version: 2, state: 'ready' }], {
      1: live,
      2: stalled,
    });
    const started = Date.now();
    // 3 s left: the live version's writes may take until 1 s before the end, followers 0.4 s.
    const answer = await project(batch('u8'), { getRemainingTimeInMillis: () => 3000 });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(live.details.get('u8')?.version).toBe(2);
    expect(marked).toEqual([2]);
  });

  it("leaves a building version's unreached users to its build: no catch-up read, never behind", async () => {
    const live = new InMemoryReadModelStore();
    const building = new InMemoryReadModelStore();
    const { stageProject, marked, keys } = setUp([{ version: 2, state: 'building' }], {
      1: live,
      2: building,
    });
    const history = recordedEvents('u9', [
      created('N', 'n@example.com'),
      ...Array.from({ length: 5 }, () => balanceChanged(1)),
    ]);
    // The live version has the user; the build has not reached it yet.
    await createProjector(
      live,
      keys,
    )({
      Records: history.slice(0, 5).map((event) => toStreamRecord(event, keys)),
    } as DynamoDBStreamEvent);
    let reads = 0;
    const project = stageProject({
      eventsOf: async () => {
        reads++;
        return [];
      },
    });
    const answer = await project({
      Records: history.slice(5).map((event) => toStreamRecord(event, keys)),
    } as DynamoDBStreamEvent);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(live.details.get('u9')?.version).toBe(6);
    expect(building.details.has('u9')).toBe(false);
    expect(reads).toBe(0);
    expect(marked).toEqual([]);
  });

  it('records an erasure for every version that is not live, behind and dropped ones too', async () => {
    const { project, writes, keys } = setUp(
      [
        { version: 2, state: 'ready', behind: { at: 'then', reason: 'test' } },
        { version: 3 as unknown as 2, state: 'retained' },
      ],
      { 1: new InMemoryReadModelStore(), 2: new InMemoryReadModelStore() },
    );
    await project({
      Records: recordedEvents('u10', [created('N', 'n@example.com'), erased]).map((event) =>
        toStreamRecord(event, keys),
      ),
    } as DynamoDBStreamEvent);
    expect(writes).toEqual(['erasures of u10 for 2,3', 'write 1']);
  });

  it('stops the live version at its deadline too: the batch is delivered again, never cut off by the timeout', async () => {
    const live = new InMemoryReadModelStore();
    live.putHistoryEntries = () => new Promise(() => {});
    const { project, batch } = setUp([], { 1: live });
    const started = Date.now();
    const answer = await project(batch('u11'), { getRemainingTimeInMillis: () => 3000 });
    expect(answer.batchItemFailures).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("never holds the live version's erasure back for a registry that fails: the erasure is applied, the batch comes again", async () => {
    const live = new InMemoryReadModelStore();
    const { keys } = setUp([{ version: 2, state: 'ready', behind: { at: 't', reason: 'r' } }], {
      1: live,
    });
    const failing = createVersionedProjector(
      {
        state: async () => ({
          live: 1,
          followers: [{ version: 2, state: 'ready', behind: { at: 't', reason: 'r' } }],
        }),
        markBehind: async () => true,
        recordErasures: async () => {
          throw new Error('ProvisionedThroughputExceededException');
        },
      },
      () => createProjector(live, keys),
    );
    const records = recordedEvents('u12', [created('N', 'n@example.com'), erased]).map((event) =>
      toStreamRecord(event, keys),
    );
    const answer = await failing({ Records: records } as DynamoDBStreamEvent);
    expect(live.details.get('u12')).toMatchObject({ erased: true, name: null });
    expect(answer.batchItemFailures).toHaveLength(2);
  });
});
