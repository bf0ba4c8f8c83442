import { runChaos } from './chaos';
import { runSoak } from './soak';
import type { StoreReport } from './verify';

const chaosSize = {
  kills: 1,
  clients: 4,
  users: 8,
  keyedShare: 1,
  intervalMs: 2500,
  ports: { http: 3400, lambda: 3402, dynamodb: 8500, proxy: 8501, localAws: 3404 },
};

/**
 * The CI-sized runs of `npm run chaos` and `npm run soak`: each starts its own stack, on ports
 * apart from the shared e2e stack and from `npm start`.
 */
describe('reliability (CI size)', () => {
  const expectConsistent = (report: StoreReport & { readModelMismatches: number }) =>
    expect(report).toMatchObject({
      gaps: 0,
      duplicateEvents: 0,
      refusedButStored: 0,
      halfStates: 0,
      readModelMismatches: 0,
    });

  it('survives kill -9 of the offline stack mid-run', async () => {
    const report = await runChaos({ target: 'stack', ...chaosSize });
    console.info(`chaos (stack): ${JSON.stringify(report)}`);
    expect(report.answered).toBeGreaterThan(0);
    expectConsistent(report);
    expect(report.lostEvents).toBe(0);
  }, 600_000);

  it('survives kill -9 of DynamoDB Local mid-run', async () => {
    const report = await runChaos({ target: 'dynamodb', ...chaosSize });
    console.info(`chaos (dynamodb): ${JSON.stringify(report)}`);
    expect(report.answered).toBeGreaterThan(0);
    expectConsistent(report);
    // DynamoDB Local acknowledges a TransactWriteItems before it is on disk, so a kill -9 can
    // lose the last one, whole (event and key together). DynamoDB itself does not; nothing of
    // ours may lose anything else.
    expect(report.lostEvents).toBe(report.lostWithTheirKeys);
    expect(report.lostWithTheirKeys).toBeLessThanOrEqual(chaosSize.kills);
  }, 600_000);

  it('stores every command once when DynamoDB responses are lost, with and without keys', async () => {
    const report = await runChaos({
      target: 'network',
      ...chaosSize,
      kills: 2,
      lostShare: 0.2,
      keyedShare: 0.5,
    });
    console.info(`chaos (network): ${JSON.stringify(report)}`);
    expect(report.lostResponses).toBeGreaterThan(10);
    expect(report.withoutKey.commands).toBeGreaterThan(50);
    expectConsistent(report);
    expect(report.lostEvents).toBe(0);
    expect(report.withoutKey).toMatchObject({ duplicated: 0, lost: 0 });
  }, 600_000);

  it('stays correct under sustained load', async () => {
    const report = await runSoak({
      durationMs: 15_000,
      concurrency: 8,
      users: 20,
      ports: { http: 3500, lambda: 3502, dynamodb: 8600, localAws: 3504 },
    });
    console.info(`soak: ${JSON.stringify(report)}`);
    expect(report.unexpectedSamples).toEqual([]);
    expectConsistent(report);
    expect(report.lostEvents).toBe(0);
  }, 600_000);
});
