import { logger } from '@users/shared';
import type { PendingErasures } from './ports';

/**
 * Erased users looked at per run (a page of the index at a time), in random order so that none
 * waits behind the others: far more than a run can finish.
 */
const USERS_PER_RUN = 50_000;
/** Users rewritten at once: each is a partition of its own. */
const AT_ONCE = 8;

export type ErasureReport = { finished: number; unfinished: number; failed: number };

const shuffled = <T>(items: T[], random: () => number) => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
};

/**
 * Goes on with the history rewrite of erased users that an invocation of the projector could not
 * finish (a long history, a throttled partition), several users at once, until `deadline` (epoch
 * ms). One user failing never holds back the others; one very long history never starves them.
 */
export const finishErasures = async (
  store: PendingErasures,
  deadline: number,
  {
    now = Date.now,
    random = Math.random,
    skip,
  }: { now?: () => number; random?: () => number; skip?: Set<string> } = {},
): Promise<ErasureReport> => {
  const report: ErasureReport = { finished: 0, unfinished: 0, failed: 0 };
  const pending = await store.pendingErasures(USERS_PER_RUN);
  const queue = shuffled(
    pending.filter((userId) => !skip?.has(userId)),
    random,
  );
  report.unfinished += pending.length - queue.length;
  const work = async () => {
    for (let userId = queue.shift(); userId !== undefined; userId = queue.shift()) {
      if (now() >= deadline) {
        report.unfinished++;
        continue;
      }
      try {
        if (await store.eraseHistory(userId, deadline)) report.finished++;
        else report.unfinished++;
      } catch (error) {
        report.failed++;
        logger.warn('history rewrite of an erased user failed; the next run goes on', {
          userId,
          error,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, work));
  return report;
};
