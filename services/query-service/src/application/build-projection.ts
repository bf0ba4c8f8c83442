import type { ProjectionVersion } from '../projections';
import type { RebuildReport } from './rebuild-read-models';

type Lease = { buildId: string; owner: string };
type Progress = { users: number; events: number };

export type BuildDependencies = {
  registry: {
    startBuild(version: ProjectionVersion, owner: string, leaseMs: number): Promise<Lease>;
    renewLease(
      version: ProjectionVersion,
      lease: Lease,
      leaseMs: number,
      progress: Progress,
    ): Promise<boolean>;
    finishBuild(version: ProjectionVersion, lease: Lease, built: Progress): Promise<void>;
    abandonBuild(version: ProjectionVersion, lease: Lease): Promise<void>;
  };
  /** Replays the event store into the version's tables; `onProgress` may throw to stop it. */
  replay(onProgress: (report: RebuildReport) => void): Promise<RebuildReport>;
  /**
   * Restores every user the live version is ahead on (the projector leaves a building version's
   * gaps to its build); resolves with how many there were.
   */
  catchUp(): Promise<number>;
  owner: string;
  leaseMs: number;
  /**
   * Longer than any projector invocation can run (its timeout): one that began before the version
   * was registered, and so does not write it, has ended (its events stored) before the replay.
   */
  drainMs: number;
  sleep(ms: number): Promise<void>;
  log(message: string): void;
};

export class BuildFailed extends Error {}

/**
 * Rounds of catching up after the replay: each finds the users written meanwhile, fewer every
 * time; the projector keeps a ready version current across a gap itself.
 */
const CATCH_UP_ROUNDS = 3;

/**
 * Builds a projection version beside the live one (docs/projections.md): takes the version's
 * lease (one build at a time; a build that died lets go when its lease runs out), registers it so
 * that the projector keeps it current from its next invocation on, waits one projector timeout
 * (an invocation that began before did not write it), replays every user's events into its
 * tables only (never the event store, never the bus), catches up the users the live version is
 * ahead on, and marks it ready unless the projector fell behind on it meanwhile. Run again after a crash, it starts over: every write is
 * conditional on the version it brings, so nothing already there moves backwards.
 */
export const buildProjection = async (deps: BuildDependencies, version: ProjectionVersion) => {
  const lease = await deps.registry.startBuild(version, deps.owner, deps.leaseMs);
  let progress: Progress = { users: 0, events: 0 };
  let lost = false;
  const renewal = setInterval(() => {
    deps.registry
      .renewLease(version, lease, deps.leaseMs, progress)
      .then((held) => {
        if (!held) lost = true;
      })
      // A renewal that failed (throttled) is tried again at the next tick, well before expiry.
      .catch((error: Error) => deps.log(`lease renewal failed, retrying: ${error.message}`));
  }, deps.leaseMs / 3);
  try {
    deps.log(`waiting ${Math.ceil(deps.drainMs / 1000)} s for projector invocations under way`);
    await deps.sleep(deps.drainMs);
    const report = await deps.replay((reached) => {
      if (lost) throw new BuildFailed(`version ${version}'s build lease was lost to another build`);
      progress = { users: reached.users, events: reached.events };
    });
    if (report.failedUsers.length > 0) {
      throw new BuildFailed(
        `${report.failedUsers.length} user(s) could not be built:\n  ${report.failedUsers.join('\n  ')}`,
      );
    }
    // The users the replay had passed when the projector left them a gap, and those it read
    // before their latest events: until none is behind, or few enough for the projector alone.
    for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
      const behind = await deps.catchUp();
      deps.log(`caught up ${behind} user(s) the live version was ahead on`);
      if (behind === 0) break;
    }
    if (lost) throw new BuildFailed(`version ${version}'s build lease was lost to another build`);
    await deps.registry.finishBuild(version, lease, { users: report.users, events: report.events });
    return report;
  } catch (error) {
    await deps.registry.abandonBuild(version, lease);
    throw error;
  } finally {
    clearInterval(renewal);
  }
};
