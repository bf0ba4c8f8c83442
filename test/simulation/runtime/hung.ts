/**
 * What never answers within a run (a stalled request, the work of a torn-down environment): at the
 * run's end it fails, so that nothing a later run in the same process uses (a data-key cache's
 * lookup, say) keeps waiting on it.
 */
const hung = new Set<(error: Error) => void>();

export const hang = <T = never>(): Promise<T> =>
  new Promise<T>((_, reject) => {
    hung.add(reject);
  });

/** What a hung promise fails with at its run's end; nobody is left to handle it. */
export class RunEnded extends Error {}

export const releaseHung = () => {
  const waiting = [...hung];
  hung.clear();
  for (const reject of waiting) reject(new RunEnded('the simulated run ended'));
};

/** While `work` runs, a RunEnded that nobody handles is expected; any other rejection is not. */
export const toleratingRunEnded = async <T>(work: () => Promise<T>): Promise<T> => {
  const ignore = (reason: unknown) => {
    if (!(reason instanceof RunEnded)) throw reason;
  };
  process.on('unhandledRejection', ignore);
  try {
    return await work();
  } finally {
    // Rejections of the last run surface a moment later.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', ignore);
  }
};
