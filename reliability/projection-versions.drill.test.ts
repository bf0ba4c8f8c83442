import { ownStack } from './own-stack';
import { runProjectionDrill } from './projection-drill';

// A stack of its own: switching the live version of the shared e2e stack would move every other
// test file's queries too.
const drill = ownStack('projections', { http: 3900, lambda: 3902, dynamodb: 9000, localAws: 3904 });

describe('changing a read model under load: build, switch, switch back, drop', () => {
  it('never answers a 5xx, never mixes versions, never shows a client an older version', async () => {
    const report = await runProjectionDrill({
      baseUrl: drill.stack.baseUrl,
      dynamodbPort: drill.ports.dynamodb,
      localAwsPort: drill.ports.localAws,
      faultFile: drill.faultFile,
      users: 20,
      readers: 4,
      drainSeconds: 12,
      leaseSeconds: 20,
      log: (message) => console.info(message),
    });
    const { steps } = report;
    console.info(`projection drill: ${JSON.stringify({ ...report, steps: undefined })}`);
    // Refused with the reason: nothing built yet; a build holds the lease; a version behind.
    expect(steps.switchBeforeBuild).toMatchObject({
      ok: false,
      output: expect.stringMatching(/version 2 is not ready/),
    });
    expect(steps.buildWhileLeaseHeld).toMatchObject({
      ok: false,
      output: expect.stringMatching(/another build of version 2 holds its lease/),
    });
    expect(steps.buildAfterLease).toMatchObject({ ok: true });
    expect(steps.statusWhenBehind).toMatchObject({
      output: expect.stringMatching(/version 2: behind since/),
    });
    expect(steps.switchWhenBehind).toMatchObject({
      ok: false,
      output: expect.stringMatching(/version 2 is not ready/),
    });
    expect(steps.rebuildAfterFault).toMatchObject({ ok: true });
    // Each switch and the drop went through, and the read models then equal the fold of the store.
    for (const step of ['switchTo2', 'switchBackTo1', 'drop2'])
      expect([step, steps[step]]).toMatchObject([step, { ok: true }]);
    expect(steps.foldAfterSwitchTo2).toEqual([]);
    expect(steps.foldAfterSwitchBackTo1).toEqual([]);
    expect(steps.foldOf2AfterSwitchBack).toEqual([]);
    expect(steps.statusAtEnd).toMatchObject({ output: 'version 1: live\n' });
    // What the clients saw: only 200s, one version per answer, and never a step back.
    expect(Object.keys(report.statuses)).toEqual(['200']);
    expect(report.versionsBeforeSwitch).toEqual([1]);
    expect(report.versionsWhileOn2).toEqual([2]);
    expect(report.versionsAfterSwitchBack).toEqual([1]);
    expect(report.backwards).toEqual([]);
    expect(report.reads).toBeGreaterThan(100);
  }, 600_000);
});
