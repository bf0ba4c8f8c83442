import { logger } from '@users/shared';
import type { ProjectionVersion } from '../projections';
import { type ErasureMarks, type ErasureTarget, TablesGone } from './ports';

/** Marks applied at once: each one a user of its own. */
const AT_ONCE = 8;

/**
 * Hides, in each version a mark names, the user the projector saw erased while that version was
 * not live; a mark is cleared once done, or once the version's tables are gone (nothing left to
 * erase there). A mark that fails, or is not reached by `deadline`, stays for the next run.
 */
export const applyErasureMarks = async (
  registry: ErasureMarks,
  versions: ProjectionVersion[],
  storeOf: (version: ProjectionVersion) => ErasureTarget,
  deadline: number,
) => {
  const hidden = new Map<ProjectionVersion, Set<string>>();
  let applied = 0;
  let failed = 0;
  const queue = await registry.erasureMarks();
  const work = async () => {
    for (let mark = queue.shift(); mark && Date.now() < deadline; mark = queue.shift()) {
      try {
        if (versions.includes(mark.version)) {
          await storeOf(mark.version)
            .hideErased(mark.userId)
            .catch((error: unknown) => {
              if (!(error instanceof TablesGone)) throw error;
            });
          hidden.set(mark.version, (hidden.get(mark.version) ?? new Set()).add(mark.userId));
        }
        await registry.clearErasureMark(mark);
        applied++;
      } catch (error) {
        failed++;
        logger.warn('an erasure mark could not be applied; the next run goes on', {
          version: mark.version,
          error,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, work));
  return { hidden, applied, failed, left: queue.length };
};
