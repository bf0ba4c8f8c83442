import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
} from '../../../../test/support/integration';
import { DynamoProjectionRegistry, RegistryConflict } from './dynamo-projection-registry';

let tables: { ProjectionsTable: string };
let registry: DynamoProjectionRegistry;
beforeEach(async () => {
  tables = await createTestTables(['ProjectionsTable']);
  registry = new DynamoProjectionRegistry(testDocumentClient(), tables.ProjectionsTable);
});
afterEach(() => deleteTestTables(tables));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const built = { users: 0, events: 0 };

describe('the projection registry on DynamoDB', () => {
  it('serves the first version until a switch, and registers nothing by itself', async () => {
    expect(await registry.state()).toEqual({ live: 1, followers: [] });
    expect(await registry.liveVersion()).toBe(1);
  });

  it('lets one build of a version run at a time: the second waits for the lease to run out', async () => {
    const first = await registry.startBuild(2, 'builder-a', 3000);
    await expect(registry.startBuild(2, 'builder-b', 3000)).rejects.toThrow(
      /another build of version 2 holds its lease \(builder-a\)/,
    );
    // builder-a dies without a word (kill -9): its lease runs out.
    await pause(3100);
    const second = await registry.startBuild(2, 'builder-b', 60_000);
    expect(await registry.renewLease(2, first, 60_000, built)).toBe(false);
    await expect(registry.finishBuild(2, first, built)).rejects.toThrow(/lease was lost/);
    await registry.finishBuild(2, second, built);
    expect((await registry.state()).followers).toEqual([{ version: 2, state: 'ready' }]);
  });

  it('never calls a build ready when the projector fell behind on it meanwhile', async () => {
    const lease = await registry.startBuild(2, 'builder', 60_000);
    await registry.markBehind(2, '1 record(s) not applied');
    await expect(registry.finishBuild(2, lease, built)).rejects.toThrow(
      /the projector fell behind on version 2 during the build/,
    );
    // What a failed build does on its way out (build-projection.ts); building again starts clean.
    await registry.abandonBuild(2, lease);
    const again = await registry.startBuild(2, 'builder', 60_000);
    await registry.finishBuild(2, again, built);
    expect((await registry.state()).followers).toEqual([{ version: 2, state: 'ready' }]);
  });

  it('switches every copy of the live pointer in one step, and keeps the old version followed', async () => {
    await registry.finishBuild(2, await registry.startBuild(2, 'builder', 60_000), built);
    await expect(registry.commitSwitch(1, 2)).rejects.toThrow(RegistryConflict); // not prepared
    await registry.prepareSwitch(2);
    await registry.commitSwitch(1, 2);
    expect(await registry.state()).toEqual({
      live: 2,
      followers: [{ version: 1, state: 'ready' }],
    });
    const seen = new Set(
      await Promise.all(Array.from({ length: 40 }, () => registry.liveVersion())),
    );
    expect(seen).toEqual(new Set([2]));
    await expect(registry.retire(2)).rejects.toThrow('version 2 is live');
    // A batch that could not write version 2 learns it is live now: never marked behind.
    expect(await registry.markBehind(2, 'failed after the switch')).toBe(false);
    expect(await registry.markBehind(1, 'a follower now')).toBe(true);
    expect((await registry.state()).followers).toEqual([
      { version: 1, state: 'ready', behind: expect.objectContaining({ reason: 'a follower now' }) },
    ]);
  });

  it('refuses a switch to a version marked behind after it was prepared', async () => {
    await registry.finishBuild(2, await registry.startBuild(2, 'builder', 60_000), built);
    await registry.prepareSwitch(2);
    await registry.markBehind(2, 'failed while switching');
    await expect(registry.commitSwitch(1, 2)).rejects.toThrow(/was overtaken/);
    expect(await registry.liveVersion()).toBe(1);
    await expect(registry.prepareSwitch(2)).rejects.toThrow(/is not ready/);
  });

  it('drops a follower with its tables kept: no longer written, still listed for erasures; forgets it once they are deleted', async () => {
    await registry.finishBuild(2, await registry.startBuild(2, 'builder', 60_000), built);
    await registry.retire(2);
    expect(await registry.state()).toEqual({
      live: 1,
      followers: [{ version: 2, state: 'retained' }],
    });
    // Built again later: a building version like any other.
    await registry.finishBuild(2, await registry.startBuild(2, 'builder', 60_000), built);
    expect((await registry.state()).followers).toEqual([{ version: 2, state: 'ready' }]);
    await registry.retire(2);
    await registry.forget(2);
    expect(await registry.state()).toEqual({ live: 1, followers: [] });
    // A batch that began before the drop: nothing left to mark, and no record made up.
    expect(await registry.markBehind(2, 'late')).toBe(true);
    expect((await registry.statuses()).versions).toEqual([]);
    await expect(registry.retire(1)).rejects.toThrow('version 1 is live');
    await expect(registry.forget(1)).rejects.toThrow('version 1 is live');
  });

  it('keeps the erasures a version that is not live has yet to be told of, until each is cleared', async () => {
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    await registry.recordErasures([2], users);
    await registry.recordErasures([2], ['user-0']);
    const marks = await registry.erasureMarks();
    expect(marks).toHaveLength(30);
    expect(new Set(marks.map((mark) => mark.userId))).toEqual(new Set(users));
    for (const mark of marks.slice(0, 29)) await registry.clearErasureMark(mark);
    expect(await registry.erasureMarks()).toEqual(marks.slice(29));
    // The registry's own items are untouched by the marks.
    expect(await registry.state()).toEqual({ live: 1, followers: [] });
  });
});
