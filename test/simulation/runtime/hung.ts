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

export const releaseHung = () => {
  const waiting = [...hung];
  hung.clear();
  for (const reject of waiting) reject(new Error('the simulated run ended'));
};
