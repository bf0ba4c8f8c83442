import type { UserDetail } from '../projections';

/**
 * Read your writes (docs/api.md): a read may ask for "at least version N" (`min_version`, the
 * `sequence` a command answered). The projector usually follows the event store within a few
 * hundred milliseconds, so the read waits for it a short, stated time, then answers "not reached
 * yet" (never the unknown user's 404: the read side cannot tell a user not projected yet from one
 * that will never be).
 */

/** The longest a read waits for the projector: short enough to hold no caller up for long. */
export const VERSION_WAIT_MS = 1000;
/**
 * Before the second read of the checkpoint, doubling after each (100, 200, 400 ms...): five
 * consistent reads at most in one wait, so that many readers waiting on a lagging projector
 * add little to the read models' load.
 */
export const VERSION_POLL_MS = 100;
/** Kept back from the function's remaining time for the reads after the wait and the answer. */
export const ANSWER_MARGIN_MS = 1000;

/** What the caller asked to have been reached, and when to stop waiting for it (epoch ms). */
export type VersionWait = { minVersion: number; deadline: number };

export type VersionCheck =
  | { kind: 'reached'; detail: UserDetail | null }
  | { kind: 'wait'; ms: number }
  | { kind: 'not reached'; currentVersion: number };

/** The wait's deadline: the bound, or sooner when the function has less time left. */
export const versionDeadline = (now: number, remainingMs: number) =>
  now + Math.max(0, Math.min(VERSION_WAIT_MS, remainingMs - ANSWER_MARGIN_MS));

/**
 * The decision on one read of the user's checkpoint (the detail, tombstones included) at `now`. A
 * user the read models lack is at version 0. A deleted or erased user at or past the version has
 * been reached: what it answers then is the reading rules' business.
 */
export const checkVersion = (
  checkpoint: UserDetail | null,
  { minVersion, deadline }: VersionWait,
  now: number,
  pollMs = VERSION_POLL_MS,
): VersionCheck => {
  const currentVersion = checkpoint?.version ?? 0;
  if (currentVersion >= minVersion) return { kind: 'reached', detail: checkpoint };
  if (now >= deadline) return { kind: 'not reached', currentVersion };
  return { kind: 'wait', ms: Math.min(pollMs, deadline - now) };
};

export type Timer = { now(): number; sleep(ms: number): Promise<void> };

/** Reads the checkpoint until it has reached the version or the deadline has passed. */
export const awaitVersion = async (
  readCheckpoint: () => Promise<UserDetail | null>,
  wait: VersionWait,
  timer: Timer,
): Promise<Exclude<VersionCheck, { kind: 'wait' }>> => {
  for (let pollMs = VERSION_POLL_MS; ; pollMs *= 2) {
    const check = checkVersion(await readCheckpoint(), wait, timer.now(), pollMs);
    if (check.kind !== 'wait') return check;
    await timer.sleep(check.ms);
  }
};
