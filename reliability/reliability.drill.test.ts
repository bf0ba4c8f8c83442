import { runChaos } from './chaos';
import { expectConsistent } from './expect-consistent';

const chaosSize = {
  kills: 1,
  clients: 4,
  users: 8,
  keyedShare: 1,
  intervalMs: 2500,
  ports: { http: 3400, lambda: 3402, dynamodb: 8500, proxy: 8501, localAws: 3404 },
};

/**
 * The CI-sized kill drills of `npm run chaos`: each starts its own stack, on ports apart from the
 * shared e2e stack and from `npm start` (lost responses and the soak: lost-responses-and-load).
 */
describe('reliability (CI size)', () => {
  it('survives kill -9 of the offline stack mid-run, the publisher killed mid-batch included', async () => {
    const report = await runChaos({
      target: 'stack',
      ...chaosSize,
      // Meanwhile a fifth of the bus's entries are answered failed and a fifth delivered twice.
      busFaults: { failShare: 0.2, duplicateShare: 0.2 },
    });
    console.info(`chaos (stack): ${JSON.stringify(report)}`);
    expect(report.answered).toBeGreaterThan(0);
    expectConsistent(report);
    expect(report.lostEvents).toBe(0);
    // The stats counted every stored event once: failed entries published again, duplicates
    // and the publisher's own repeats after the kill kept out by the event id.
    expect(report.statsMismatches).toEqual([]);
    expect(report.bus).toMatchObject({ deadLettered: 0 });
    expect(report.bus.failed).toBeGreaterThan(0);
    expect(report.bus.duplicated).toBeGreaterThan(0);
  }, 600_000);

  it('survives kill -9 of DynamoDB Local mid-run', async () => {
    const report = await runChaos({ target: 'dynamodb', ...chaosSize });
    console.info(`chaos (dynamodb): ${JSON.stringify(report)}`);
    expect(report.answered).toBeGreaterThan(0);
    // DynamoDB Local on disk can come back from a SIGKILL unable to write an item it updated in
    // place (a probe's write times out): no projector converges then, and that is not ours to
    // prove; every promise of the event store still holds. It can also lose the last
    // acknowledged transaction whole: a stats service's count (event marker and figures
    // together) as well as an event; the figures must then be exactly those of what it counted.
    const { statsOfCounted } = report;
    const statsLostToTheKill =
      statsOfCounted?.figuresMatchCounted === true && statsOfCounted.uncounted <= chaosSize.kills;
    expectConsistent({
      ...report,
      ...(report.unwritableAfterKill && { readModelMismatches: 0 }),
      ...(statsLostToTheKill && { statsMismatches: [] }),
    });
    // DynamoDB Local acknowledges a TransactWriteItems before it is on disk, so a kill -9 can
    // lose the last one, whole (event and key together). DynamoDB itself does not; nothing of
    // ours may lose anything else.
    expect(report.lostEvents).toBe(report.lostWithTheirKeys);
    expect(report.lostWithTheirKeys).toBeLessThanOrEqual(chaosSize.kills);
  }, 600_000);
});
