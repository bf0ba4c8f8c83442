import { erasedPlaceholder, type UserDetail } from '../projections';
import {
  ANSWER_MARGIN_MS,
  awaitVersion,
  checkVersion,
  type Timer,
  VERSION_POLL_MS,
  VERSION_WAIT_MS,
  versionDeadline,
} from './read-your-writes';

const at = (version: number, tombstone: Partial<UserDetail> = {}): UserDetail => ({
  userId: 'u1',
  name: 'Ada',
  email: 'ada@example.com',
  balance: 0,
  version,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  deleted: false,
  erased: false,
  ...tombstone,
});

/** A clock that moves only when slept on, and the reads made against it. */
const fakeTimer = () => {
  let now = 0;
  const timer: Timer & { slept: number[] } = {
    slept: [],
    now: () => now,
    sleep: async (ms) => {
      timer.slept.push(ms);
      now += ms;
    },
  };
  return timer;
};

/** The checkpoint as the projector moves it: `version(t)` at time t. */
const projectedAs = (timer: Timer, version: (t: number) => number) => {
  const readAt: number[] = [];
  const read = async () => {
    readAt.push(timer.now());
    const v = version(timer.now());
    return v === 0 ? null : at(v);
  };
  return { read, readAt };
};

describe('waiting for a version (min_version)', () => {
  const wait = { minVersion: 3, deadline: 1000 };

  it.each([
    ['at the version', 3],
    ['past it', 5],
  ])('answers at once when the read model is %s', (_, version) => {
    expect(checkVersion(at(version), wait, 0)).toEqual({ kind: 'reached', detail: at(version) });
  });

  it('waits while the read model is behind and time is left', () => {
    expect(checkVersion(at(2), wait, 0)).toEqual({ kind: 'wait', ms: VERSION_POLL_MS });
    expect(checkVersion(null, wait, 950)).toEqual({ kind: 'wait', ms: 50 });
  });

  it('gives up at the deadline with the version reached so far, 0 for a user not projected', () => {
    expect(checkVersion(at(2), wait, 1000)).toEqual({ kind: 'not reached', currentVersion: 2 });
    expect(checkVersion(null, wait, 1000)).toEqual({ kind: 'not reached', currentVersion: 0 });
    expect(checkVersion(erasedPlaceholder('u1'), wait, 1000)).toEqual({
      kind: 'not reached',
      currentVersion: 0,
    });
  });

  it('counts a deleted or erased user at the version as reached (the reading rules answer)', () => {
    const gone = at(3, { deleted: true });
    expect(checkVersion(gone, wait, 0)).toEqual({ kind: 'reached', detail: gone });
    const erased = at(4, { erased: true, name: null, email: null });
    expect(checkVersion(erased, wait, 0)).toEqual({ kind: 'reached', detail: erased });
  });

  it('sees a projection written during the wait', async () => {
    const timer = fakeTimer();
    const { read, readAt } = projectedAs(timer, (t) => (t < 300 ? 2 : 3));
    expect(await awaitVersion(read, wait, timer)).toEqual({ kind: 'reached', detail: at(3) });
    expect(readAt).toEqual([0, 100, 300]);
  });

  it('reads again after 100, 200, 400 ms... until the deadline, then answers with the current version', async () => {
    const timer = fakeTimer();
    const { read, readAt } = projectedAs(timer, () => 2);
    expect(await awaitVersion(read, wait, timer)).toEqual({
      kind: 'not reached',
      currentVersion: 2,
    });
    expect(readAt).toEqual([0, 100, 300, 700, 1000]);
    expect(timer.now()).toBe(1000);
  });

  it('waits at most the bound, less when the function has less time left', () => {
    expect(versionDeadline(5000, 10_000)).toBe(5000 + VERSION_WAIT_MS);
    expect(versionDeadline(5000, ANSWER_MARGIN_MS + 300)).toBe(5300);
    expect(versionDeadline(5000, ANSWER_MARGIN_MS - 300)).toBe(5000);
  });

  it('never waits past the deadline, one read made when none is left', async () => {
    const timer = fakeTimer();
    const { read, readAt } = projectedAs(timer, () => 0);
    expect(await awaitVersion(read, { minVersion: 1, deadline: 0 }, timer)).toEqual({
      kind: 'not reached',
      currentVersion: 0,
    });
    expect(readAt).toEqual([0]);
    expect(timer.slept).toEqual([]);
  });
});
