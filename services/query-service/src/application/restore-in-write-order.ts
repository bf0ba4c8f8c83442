import type { ProjectionVersion, UserReadModels } from '../projections';
import type { ProjectionState, ReadModelRestorer } from './ports';

/**
 * The order in which anything that repairs read models (rebuild, redrive, a build's catch-up)
 * writes a user into the projection versions: the target of a switch being prepared first, so
 * that it is never behind what a reader of the live version has seen (were the switch to commit
 * in between, a reader would see the user go back), then the live version, then every other
 * version whose tables are kept, behind or dropped ones too (so that an erasure reaches them).
 */
export const writeOrder = ({ live, followers }: ProjectionState): ProjectionVersion[] => [
  ...followers.filter((f) => f.switching).map((f) => f.version),
  live,
  ...followers.filter((f) => !f.switching).map((f) => f.version),
];

/** How long a repair goes on with the versions it read before reading the registry again. */
const REGISTRY_READ_EVERY_MS = 1000;

/**
 * Restores each user into every version in write order, the registry read again at most every
 * second: a switch prepared while a repair runs is written first from then on, well within the
 * switch's wait of one projector timeout before it compares the versions.
 */
export const restoreInWriteOrder = (
  state: () => Promise<ProjectionState>,
  restorerOf: (version: ProjectionVersion) => ReadModelRestorer,
): ReadModelRestorer => {
  let known: { at: number; versions: Promise<ProjectionVersion[]> } | undefined;
  const versions = () => {
    if (!known || Date.now() - known.at >= REGISTRY_READ_EVERY_MS) {
      known = { at: Date.now(), versions: state().then(writeOrder) };
      known.versions.catch(() => {
        known = undefined;
      });
    }
    return known.versions;
  };
  return {
    async restoreUser(models: UserReadModels) {
      for (const version of await versions()) await restorerOf(version).restoreUser(models);
    },
  };
};
