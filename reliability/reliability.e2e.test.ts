import { runChaos } from './chaos';
import { runSoak } from './soak';

/**
 * The CI-sized runs of `npm run chaos` and `npm run soak`: each starts its own stack, on ports
 * apart from the shared e2e stack and from `npm start`.
 */
describe('reliability (CI size)', () => {
  const expectNothingLost = (report: {
    gaps: number;
    lostEvents: number;
    duplicateEvents: number;
    refusedButStored: number;
    halfStates: number;
    readModelMismatches: number;
  }) =>
    expect(report).toMatchObject({
      gaps: 0,
      lostEvents: 0,
      duplicateEvents: 0,
      refusedButStored: 0,
      halfStates: 0,
      readModelMismatches: 0,
    });

  it.each(['stack', 'dynamodb'] as const)(
    'survives kill -9 of the %s mid-run',
    async (target) => {
      const report = await runChaos({
        target,
        kills: 1,
        clients: 4,
        users: 8,
        intervalMs: 2500,
        ports: { http: 3400, lambda: 3402, dynamodb: 8500 },
      });
      console.info(`chaos (${target}): ${JSON.stringify(report)}`);
      expect(report.answered).toBeGreaterThan(0);
      expectNothingLost(report);
    },
    600_000,
  );

  it('stays correct under sustained load', async () => {
    const report = await runSoak({
      durationMs: 15_000,
      concurrency: 8,
      users: 20,
      ports: { http: 3500, lambda: 3502, dynamodb: 8600 },
    });
    console.info(`soak: ${JSON.stringify(report)}`);
    expect(report.unexpectedSamples).toEqual([]);
    expectNothingLost(report);
  }, 600_000);
});
