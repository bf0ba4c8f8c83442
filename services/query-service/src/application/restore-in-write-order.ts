import type { ProjectionVersion, UserReadModels } from '../projections';
import { type ProjectionState, type ReadModelRestorer, TablesGone } from './ports';

/**
 * The order in which anything that repairs read models (rebuild, redrive, a build's catch-up)
 * writes a user into the projection versions: the target of a switch being prepared first, so
 * that it is never behind what a reader of the live version has seen (were the switch to commit
 * in between, a reader would see the user go back), then the live version, then every other
 * version whose tables are kept. Those the projector no longer writes (behind, or dropped with
 * their tables kept) get erasures only: nothing else of them is read, and an erasure must reach
 * them.
 */
export const writeOrder = ({ live, followers }: ProjectionState) => [
  ...followers.filter((f) => f.switching).map((f) => ({ version: f.version, full: true })),
  { version: live, full: true },
  ...followers
    .filter((f) => !f.switching)
    .map((f) => ({ version: f.version, full: !f.behind && f.state !== 'retained' })),
];

/** How long a repair goes on with the versions it read before reading the registry again. */
const REGISTRY_READ_EVERY_MS = 1000;

type Target = ReturnType<typeof writeOrder>[number];

/**
 * Restores each user into every version in write order, the registry read again at most every
 * second: a switch prepared while a repair runs is written first from then on, well within the
 * switch's wait of one projector timeout before it compares the versions.
 */
export const restoreInWriteOrder = (
  state: () => Promise<ProjectionState>,
  restorerOf: (version: ProjectionVersion) => ReadModelRestorer,
): ReadModelRestorer => {
  let known: { at: number; targets: Promise<Target[]> } | undefined;
  const targets = () => {
    if (!known || Date.now() - known.at >= REGISTRY_READ_EVERY_MS) {
      known = { at: Date.now(), targets: state().then(writeOrder) };
      known.targets.catch(() => {
        known = undefined;
      });
    }
    return known.targets;
  };
  return {
    async restoreUser(models: UserReadModels) {
      for (const { version, full } of await targets()) {
        if (!full && !models.detail.erased) continue;
        try {
          await restorerOf(version).restoreUser(models);
        } catch (error) {
          // A version no longer written whose tables were deleted: nothing left to erase there.
          if (full || !(error instanceof TablesGone)) throw error;
        }
      }
    },
  };
};
