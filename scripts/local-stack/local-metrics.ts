/**
 * The local stack's view of the functions' metrics: the CloudWatch embedded-metric-format lines
 * they write (Powertools Metrics), kept for the last minutes and summed per 10 seconds for the
 * console's metrics panel, as CloudWatch would per minute.
 */

type Datum = { at: number; name: string; dimensions: Record<string, string>; values: number[] };

type EmfDocument = {
  _aws?: {
    Timestamp?: number;
    CloudWatchMetrics?: { Dimensions?: string[][]; Metrics?: { Name: string }[] }[];
  };
  [key: string]: unknown;
};

export type MetricsView = {
  bucketSeconds: number;
  /** Oldest first, one per bucket up to now (empty buckets included). */
  buckets: { at: string; commands: number; refused: number; lagP50?: number; lagP99?: number }[];
  /** Refusals per code over the whole window. */
  refusalsByCode: Record<string, number>;
  /** Every metric seen over the window, summed (lags: their count), by name. */
  totals: Record<string, number>;
};

const KEEP_MS = 15 * 60_000;

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? undefined
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);

/** The metrics of one EMF document: each metric's values, with the document's dimensions. */
export const parseEmf = (line: string): Datum[] => {
  let document: EmfDocument;
  try {
    document = JSON.parse(line);
  } catch {
    return [];
  }
  const meta = document._aws;
  if (!meta?.CloudWatchMetrics) return [];
  return meta.CloudWatchMetrics.flatMap(({ Dimensions = [], Metrics = [] }) => {
    const dimensions = Object.fromEntries(
      (Dimensions[0] ?? []).map((name) => [name, String(document[name])]),
    );
    return Metrics.map(({ Name }) => ({
      at: meta.Timestamp ?? Date.now(),
      name: Name,
      dimensions,
      values: [document[Name]].flat().filter((v): v is number => typeof v === 'number'),
    }));
  });
};

export const createLocalMetrics = () => {
  let data: Datum[] = [];
  return {
    /** Takes EMF lines (any other line is ignored). */
    record: (text: string, now = Date.now()) => {
      data = data.filter((datum) => datum.at > now - KEEP_MS);
      for (const line of text.split('\n')) data.push(...parseEmf(line));
    },
    view: ({ now = Date.now(), windowSeconds = 300, bucketSeconds = 10 } = {}): MetricsView => {
      const bucketMs = bucketSeconds * 1000;
      const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
      const start = end - windowSeconds * 1000;
      const inWindow = data.filter((datum) => datum.at >= start && datum.at < end);
      const sum = (datum: Datum) => datum.values.reduce((total, value) => total + value, 0);
      const buckets = Array.from({ length: windowSeconds / bucketSeconds }, (_, i) => {
        const from = start + i * bucketMs;
        const here = inWindow.filter((datum) => datum.at >= from && datum.at < from + bucketMs);
        const commands = here.filter((datum) => datum.name === 'Commands');
        const lags = here
          .filter((datum) => datum.name === 'ProjectionLag')
          .flatMap((datum) => datum.values)
          .sort((a, b) => a - b);
        return {
          at: new Date(from).toISOString(),
          commands: commands.reduce((total, datum) => total + sum(datum), 0),
          refused: commands
            .filter((datum) => datum.dimensions.Outcome === 'refused')
            .reduce((total, datum) => total + sum(datum), 0),
          lagP50: percentile(lags, 50),
          lagP99: percentile(lags, 99),
        };
      });
      const refusalsByCode: Record<string, number> = {};
      const totals: Record<string, number> = {};
      for (const datum of inWindow) {
        const counted = datum.name.endsWith('Lag') ? datum.values.length : sum(datum);
        totals[datum.name] = (totals[datum.name] ?? 0) + counted;
        if (datum.name === 'Refusals') {
          const code = datum.dimensions.Code as string;
          refusalsByCode[code] = (refusalsByCode[code] ?? 0) + sum(datum);
        }
      }
      return { bucketSeconds, buckets, refusalsByCode, totals };
    },
  };
};

export type LocalMetrics = ReturnType<typeof createLocalMetrics>;
