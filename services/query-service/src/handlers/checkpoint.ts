import type { Context } from 'aws-lambda';
import type { ReadModelQueries } from '../application/ports';
import { awaitVersion, versionDeadline } from '../application/read-your-writes';
import { versionNotReached } from '../http/version-not-reached';

// The global timers, which the simulation's virtual time replaces (test/simulation).
const timer = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/**
 * A user's checkpoint (its detail, tombstones included: the reading rules decide what it shows),
 * at `minVersion` or later when one is asked for: waited for within the bound, never past the
 * function's time, else 409 VERSION_NOT_REACHED.
 */
export const checkpointAtLeast = async (
  readModels: Pick<ReadModelQueries, 'getDetail'>,
  userId: string,
  minVersion: number | undefined,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
) => {
  const read = () => readModels.getDetail(userId);
  if (minVersion === undefined) return read();
  const deadline = versionDeadline(timer.now(), context.getRemainingTimeInMillis());
  const outcome = await awaitVersion(read, { minVersion, deadline }, timer);
  if (outcome.kind === 'not reached') throw versionNotReached(minVersion, outcome.currentVersion);
  return outcome.detail;
};
