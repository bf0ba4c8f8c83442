import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { waitForStats } from '../reliability/verify';
import { eventually, get, postCommand, uniqueUserId } from '../test/support/http';
import { stageConfig } from './local-stack/tables';
import { type ReplayWindow, replayEvents } from './replay-events-with-progress';

const localAws = () => `http://localhost:${process.env.E2E_LOCAL_AWS_PORT ?? '3104'}`;
const stage = () =>
  stageConfig('local', {
    endpoint: `http://localhost:${process.env.E2E_DYNAMODB_PORT}`,
    kmsEndpoint: localAws(),
  });
const today = () => new Date().toISOString().slice(0, 10);
const todays = async () =>
  (await get(`/stats?from=${today()}&to=${today()}`)).body.days[0] as Record<string, number>;
const busIdle = async () =>
  eventually(async () => {
    const counters = (await (await fetch(`${localAws()}/local/bus/counters`)).json()) as Record<
      string,
      number
    >;
    expect(counters.inFlight).toBe(0);
    return counters;
  });

/** What the script does, on the e2e stack's event store and local bus. */
const replay = (window: ReplayWindow) =>
  replayEvents(
    stage(),
    new EventBridgeClient({
      region: 'us-east-1',
      endpoint: localAws(),
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    'users-local',
    window,
  );

describe('npm run replay-events', () => {
  it("publishes a user's events again, and the stats service counts none twice", async () => {
    const userId = uniqueUserId('replay');
    await postCommand({
      user_id: userId,
      event_type: 'USER_CREATED',
      payload: { name: 'Replay', email: 'replay@example.com' },
    });
    await postCommand({ user_id: userId, event_type: 'USER_BALANCE', payload: { delta: 7 } });
    await eventually(async () => expect((await todays()).balance_volume).toBeGreaterThanOrEqual(7));
    const delivered = (await busIdle()).delivered as number;

    const report = await replay({ userId });
    expect(report).toMatchObject({ events: 2, published: 2, unpublished: 0 });
    expect((await busIdle()).delivered).toBeGreaterThanOrEqual(delivered + 2);
    // Other tests write meanwhile: the figures must equal the fold of whatever the store holds.
    expect(await waitForStats(stage(), 30_000, { uncountedGraceMs: 30_000 })).toEqual([]);
  });

  it('selects by time: nothing before --from', async () => {
    const report = await replay({ from: '2999-01-01T00:00:00.000Z' });
    expect(report).toMatchObject({ events: 0, published: 0 });
  });

  it('refuses a time that is not one, in one line; a user without events publishes nothing', () => {
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['-r', 'esbuild-register', join(__dirname, 'replay-events.ts'), ...args],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            DYNAMODB_PORT: process.env.E2E_DYNAMODB_PORT,
            LOCAL_AWS_PORT: process.env.E2E_LOCAL_AWS_PORT ?? '3104',
          },
        },
      );
    const badTime = run('--from', 'yesterday');
    expect(badTime.status).toBe(1);
    expect(badTime.stderr).toMatch(/--from must be an ISO-8601 time/);
    const nobody = run('--stage', 'local', '--user', uniqueUserId('nobody'));
    expect(nobody.status).toBe(0);
    expect(nobody.stdout).toMatch(/Published 0 of 0 events/);
  });
});
