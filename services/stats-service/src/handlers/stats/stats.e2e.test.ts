import { waitForStats } from '../../../../../reliability/verify';
import { stageConfig } from '../../../../../scripts/local-stack/tables';
import { eventually, get, postCommand, uniqueUserId } from '../../../../../test/support/http';

const today = () => new Date().toISOString().slice(0, 10);
const todays = async () => {
  const answer = await get(`/stats?from=${today()}&to=${today()}`);
  expect(answer.status).toBe(200);
  return answer.body.days[0] as {
    registered: number;
    balance_changes: number;
    balance_volume: number;
  };
};

describe('GET /stats, fed by the integration events on the local bus', () => {
  // Other test files use this stack at the same time: the day's figures can only be compared with
  // the fold of everything stored (exactly), and this test's own events seen arriving (at least).
  it('counts a user created through the API within a second, and every stored event exactly once', async () => {
    const before = await todays();
    const userId = uniqueUserId('stats');
    const sent = Date.now();
    expect(
      await postCommand({
        user_id: userId,
        event_type: 'USER_CREATED',
        payload: { name: 'Stat', email: 'stat@example.com' },
      }),
    ).toMatchObject({ status: 200 });
    await eventually(
      async () => expect((await todays()).registered).toBeGreaterThan(before.registered),
      5000,
    );
    const lagMs = Date.now() - sent;
    for (const delta of [5, -2]) {
      await postCommand({ user_id: userId, event_type: 'USER_BALANCE', payload: { delta } });
    }
    await eventually(async () =>
      expect((await todays()).balance_changes).toBeGreaterThanOrEqual(before.balance_changes + 2),
    );
    const stage = stageConfig('local', {
      endpoint: `http://localhost:${process.env.E2E_DYNAMODB_PORT ?? '8000'}`,
      kmsEndpoint: `http://localhost:${process.env.E2E_LOCAL_AWS_PORT ?? '3004'}`,
    });
    // Other test files create users meanwhile: an event may take a while to be counted.
    expect(await waitForStats(stage, 90_000, { uncountedGraceMs: 30_000 })).toEqual([]);
    console.info(`stats: a registration counted ${lagMs} ms after its command was answered`);
    expect(lagMs).toBeLessThan(1000 + 1500); // a second, and the polling's own granularity
  }, 120_000);

  it('answers every day of the range, zeros included', async () => {
    const answer = await get('/stats?from=2020-02-27&to=2020-03-01');
    expect(answer).toMatchObject({ status: 200 });
    expect(answer.body.days.map((d: { day: string }) => d.day)).toEqual([
      '2020-02-27',
      '2020-02-28',
      '2020-02-29',
      '2020-03-01',
    ]);
    expect(answer.body.days[0]).toEqual({
      day: '2020-02-27',
      registered: 0,
      deleted: 0,
      erased: 0,
      balance_changes: 0,
      balance_volume: 0,
      erasure_requests: 0,
      erasure_cancellations: 0,
    });
  });

  it.each([
    ['/stats', /must have property "from"/],
    ['/stats?from=2026-12-01', /must have property "to"/],
    ['/stats?from=12/01/2026&to=2026-12-02', /from must be a date as YYYY-MM-DD/],
    ['/stats?from=2026-02-30&to=2026-03-02', /from is not a calendar date/],
    ['/stats?from=2026-12-02&to=2026-12-01', /to must not be before from/],
    ['/stats?from=2020-01-01&to=2026-01-01', /at most 366 days/],
  ])('answers %s with 400 and its reason', async (path, reason) => {
    const answer = await get(path);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      message: 'Invalid request',
      code: 'INVALID_REQUEST',
      status: 400,
      detail: 'Invalid request',
    });
    expect(answer.body.errors.join(' ')).toMatch(reason);
    expect(answer.body.fields).toHaveLength(answer.body.errors.length);
  });
});
