import { createLocalMetrics, parseEmf } from './local-metrics';

/** An EMF line as Powertools Metrics writes it. */
const emf = (
  at: number,
  dimensions: Record<string, string>,
  metrics: Record<string, number | number[]>,
) =>
  JSON.stringify({
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [
        {
          Namespace: 'users-local',
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.keys(metrics).map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    ...dimensions,
    ...metrics,
  });

const NOW = Date.UTC(2026, 11, 1, 12, 0, 5);

describe('the local metrics', () => {
  it('reads an EMF document: each metric with its values and dimensions; anything else is ignored', () => {
    expect(
      parseEmf(
        emf(NOW, { service: 'query-service' }, { EventsApplied: 2, ProjectionLag: [10, 30] }),
      ),
    ).toEqual([
      { at: NOW, name: 'EventsApplied', dimensions: { service: 'query-service' }, values: [2] },
      {
        at: NOW,
        name: 'ProjectionLag',
        dimensions: { service: 'query-service' },
        values: [10, 30],
      },
    ]);
    expect(parseEmf('{"level":"INFO","message":"request answered"}')).toEqual([]);
    expect(parseEmf('not json')).toEqual([]);
  });

  it('sums commands and refusals per 10 s, refusals by code, and the projection lag p50/p99', () => {
    const metrics = createLocalMetrics();
    const command = (at: number, outcome: string) =>
      emf(
        at,
        { service: 'command-service', EventType: 'USER_BALANCE', Outcome: outcome },
        { Commands: 1 },
      );
    metrics.record(
      [
        command(NOW - 15_000, 'stored'),
        command(NOW - 1000, 'stored'),
        command(NOW - 900, 'refused'),
        emf(NOW - 900, { service: 'command-service', Code: 'USER_NOT_FOUND' }, { Refusals: 1 }),
        emf(NOW - 500, { service: 'query-service' }, { ProjectionLag: [100, 200, 300, 400] }),
        '{"level":"INFO"}',
      ].join('\n'),
      NOW,
    );
    const view = metrics.view({ now: NOW, windowSeconds: 30, bucketSeconds: 10 });
    expect(view.buckets.map(({ commands, refused }) => [commands, refused])).toEqual([
      [0, 0],
      [1, 0],
      [2, 1],
    ]);
    expect(view.buckets.at(-1)).toMatchObject({ lagP50: 200, lagP99: 400 });
    expect(view.buckets[0]?.lagP50).toBeUndefined();
    expect(view.refusalsByCode).toEqual({ USER_NOT_FOUND: 1 });
    expect(view.totals).toEqual({ Commands: 3, Refusals: 1, ProjectionLag: 4 });
  });

  it('forgets what is older than 15 minutes', () => {
    const metrics = createLocalMetrics();
    metrics.record(emf(NOW - 16 * 60_000, { service: 's' }, { Commands: 1 }), NOW);
    metrics.record(emf(NOW, { service: 's' }, { Commands: 1 }), NOW);
    expect(metrics.view({ now: NOW, windowSeconds: 1200 }).totals).toEqual({ Commands: 1 });
  });
});
