import type { ProjectionVersion } from '../projections';

/** How far a version's read models are from the live version's, user by user. */
export type Comparison = { users: number; behind: number; examples: string[] };

export type SwitchDependencies = {
  registry: {
    state(): Promise<{ live: ProjectionVersion }>;
    prepareSwitch(version: ProjectionVersion): Promise<void>;
    cancelSwitch(version: ProjectionVersion): Promise<void>;
    commitSwitch(from: ProjectionVersion, to: ProjectionVersion): Promise<void>;
  };
  /** Every user the live version knows, against the target: who the target has not reached. */
  compare(live: ProjectionVersion, target: ProjectionVersion): Promise<Comparison>;
  /**
   * Longer than any projector invocation can run (its timeout): invocations that began before
   * the switch was prepared have ended after it.
   */
  drainMs: number;
  sleep(ms: number): Promise<void>;
  log(message: string): void;
};

export class SwitchRefused extends Error {}

/**
 * Moves the queries to `target` in one step, only once it has caught up (docs/projections.md):
 * 1. the target is marked as switching: from its next invocation on the projector writes it first
 *    and in full, and marks it behind on any failure; 2. one projector timeout passes, so every
 *    invocation that began before has ended; 3. every user the live version knows must be at the
 *    same or a later version in the target; 4. one transaction moves the live pointer, if the
 *    target was not marked behind meanwhile. From then on no reader can see a user older than
 *    what it saw before. Switching back is the same step.
 */
export const switchProjection = async (deps: SwitchDependencies, target: ProjectionVersion) => {
  const { live } = await deps.registry.state();
  if (live === target) throw new SwitchRefused(`version ${target} is already live`);
  await deps.registry.prepareSwitch(target);
  try {
    deps.log(`waiting ${Math.ceil(deps.drainMs / 1000)} s for projector invocations under way`);
    await deps.sleep(deps.drainMs);
    const comparison = await deps.compare(live, target);
    if (comparison.behind > 0) {
      throw new SwitchRefused(
        `version ${target} has not caught up: ${comparison.behind} of ${comparison.users} users are behind version ${live} (${comparison.examples.join(', ')})`,
      );
    }
    await deps.registry.commitSwitch(live, target);
    return { from: live, to: target, users: comparison.users };
  } catch (error) {
    await deps.registry.cancelSwitch(target);
    throw error;
  }
};

type VersionedDetails = {
  /** Every user's version (tombstones too), a page at a time, read consistently. */
  eachUserVersionPage(onPage: (versions: Map<string, number>) => Promise<void>): Promise<void>;
  getDetails(userIds: string[]): Promise<Map<string, { version: number }>>;
};

const EXAMPLES = 3;

/**
 * Which users the live version knows that `target` has not reached (same version or later),
 * each told to `onBehind` as well.
 */
export const compareVersions = async (
  live: VersionedDetails,
  target: VersionedDetails,
  onBehind: (userId: string) => void = () => {},
): Promise<Comparison> => {
  const comparison: Comparison = { users: 0, behind: 0, examples: [] };
  await live.eachUserVersionPage(async (versions) => {
    const reached = await target.getDetails([...versions.keys()]);
    for (const [userId, version] of versions) {
      comparison.users++;
      const at = reached.get(userId)?.version ?? 0;
      if (at >= version) continue;
      comparison.behind++;
      onBehind(userId);
      if (comparison.examples.length < EXAMPLES) {
        comparison.examples.push(`${userId} at ${at} of ${version}`);
      }
    }
  });
  return comparison;
};
