/** Measurement helpers: latency percentiles and closed-loop load at a fixed concurrency. */

export type Summary = { count: number; p50: number; p99: number; mean: number };

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);

export const summarize = (samples: number[]): Summary => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean };
};

export const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

export type LoadResult = { perSecond: number; latency: Summary; errors: number };

/**
 * `concurrency` workers each run `operation(worker, i)` back to back for `durationMs`:
 * throughput and per-operation latency (ms).
 */
export const runLoad = async (
  concurrency: number,
  durationMs: number,
  operation: (worker: number, iteration: number) => Promise<unknown>,
): Promise<LoadResult> => {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        try {
          await operation(worker, i);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: latencies.length / elapsed, latency: summarize(latencies), errors };
};

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** The median of each figure over several runs of the same load. */
export const describeRuns = (runs: LoadResult[]) => ({
  perSecond: round(median(runs.map((r) => r.perSecond)), 0),
  p50: round(median(runs.map((r) => r.latency.p50))),
  p99: round(median(runs.map((r) => r.latency.p99))),
  errors: runs.reduce((sum, r) => sum + r.errors, 0),
});
