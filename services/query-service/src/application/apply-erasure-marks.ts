import { logger } from '@users/shared';
import type { ProjectionVersion } from '../projections';
import { type ErasureMarks, type ErasureTarget, TablesGone } from './ports';

/**
 * Hides, in each version a mark names, the user the projector saw erased while that version was
 * not live; a mark is cleared once done, or once the version's tables are gone (nothing left to
 * erase there). A mark that fails stays for the next run.
 */
export const applyErasureMarks = async (
  registry: ErasureMarks,
  versions: ProjectionVersion[],
  storeOf: (version: ProjectionVersion) => ErasureTarget,
) => {
  const hidden = new Map<ProjectionVersion, Set<string>>();
  let applied = 0;
  let failed = 0;
  for (const mark of await registry.erasureMarks()) {
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
  return { hidden, applied, failed };
};
