import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { ROOT } from '../scripts/local-stack/paths';
import { runCommand, stopProcessGroup } from '../scripts/local-stack/processes';
import { stageConfig } from '../scripts/local-stack/tables';
import { DynamoProjectionRegistry } from '../services/query-service/src/infrastructure/dynamo-projection-registry';
import { waitForReadModels } from './verify';

export type ProjectionDrillOptions = {
  baseUrl: string;
  dynamodbPort: number;
  localAwsPort: number;
  /** The stack's PROJECTOR_FAULT_FILE: a projector failure on one version only. */
  faultFile: string;
  users: number;
  readers: number;
  drainSeconds: number;
  leaseSeconds: number;
  log: (message: string) => void;
};

/** A read of a detail: when it was sent and answered, and which version's shape it had. */
type Observation = {
  sentAt: number;
  answeredAt: number;
  userId: string;
  version: number;
  balanceUpdatedAt: boolean;
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Changes the read model under load (docs/projections.md): builds version 2 beside version 1 (a
 * build killed with -9 on the way), fails the projector on version 2 only, switches to it,
 * back, and drops it, while writers append events and readers follow users. Resolves with what
 * the clients saw and what each step answered; the e2e test and `npm run projection-drill` judge.
 */
export const runProjectionDrill = async (options: ProjectionDrillOptions) => {
  const stage = stageConfig('local', {
    endpoint: `http://localhost:${options.dynamodbPort}`,
    kmsEndpoint: `http://localhost:${options.localAwsPort}`,
  });
  const registry = new DynamoProjectionRegistry(stage.client, stage.projectionsTable);
  const env = {
    ...process.env,
    DYNAMODB_PORT: String(options.dynamodbPort),
    LOCAL_AWS_PORT: String(options.localAwsPort),
  };
  const timing = [
    '--drain-seconds',
    String(options.drainSeconds),
    '--lease-seconds',
    String(options.leaseSeconds),
  ];
  const cli = async (...args: string[]) => {
    try {
      const { stdout } = await runCommand(
        'npm',
        ['run', '--silent', 'projections', '--', ...args, ...timing],
        { cwd: ROOT, env },
      );
      options.log(`projections ${args.join(' ')}: ${stdout.trim().split('\n').at(-1)}`);
      return { ok: true, output: stdout };
    } catch (error) {
      const output = (error as Error).message;
      options.log(`projections ${args.join(' ')}: refused: ${output.trim().split('\n').at(-1)}`);
      return { ok: false, output };
    }
  };
  const send = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${options.baseUrl}${path}`, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const post = (body: unknown) =>
    send('/command', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  // Every user has a balance change: version 2 answers each with BalanceUpdatedAt.
  const prefix = `drill-${Date.now()}`;
  const users = Array.from({ length: options.users }, (_, i) => `${prefix}-${i}`);
  for (const userId of users) {
    await post({
      user_id: userId,
      event_type: 'USER_CREATED',
      payload: { name: 'Drill', email: 'drill@example.com' },
    });
    await post({ user_id: userId, event_type: 'USER_BALANCE', payload: { delta: 1 } });
  }

  // Readers start once every user is projected: from then on a 404 would be a version missing one.
  for (const userId of users) {
    for (let i = 0; (await send(`/detail?user_id=${userId}`)).status !== 200; i++) {
      if (i > 600) throw new Error(`${userId} never reached the read models`);
      await pause(100);
    }
  }

  const statuses = new Map<number, number>();
  const unexpected: string[] = [];
  const backwards: string[] = [];
  const observations: Observation[] = [];
  let writing = true;
  let running = true;
  const pick = () => users[Math.floor(Math.random() * users.length)] as string;
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const writer = async () => {
    while (running) {
      if (!writing) {
        await pause(100);
        continue;
      }
      const { status } = await post({
        user_id: pick(),
        event_type: 'USER_BALANCE',
        payload: { delta: 1 },
      });
      count(status);
    }
  };
  const reader = async (client: number) => {
    const seen = new Map<string, number>();
    for (let i = 0; running; i++) {
      const userId = pick();
      const path =
        i % 10 === 9
          ? `/history?user_id=${userId}&limit=5`
          : i % 10 === 8
            ? '/list?limit=5'
            : `/detail?user_id=${userId}`;
      const sentAt = Date.now();
      const { status, body } = await send(path);
      count(status);
      if (status !== 200 && unexpected.length < 10) unexpected.push(`${path}: ${status}`);
      if (!path.startsWith('/detail') || status !== 200) continue;
      const version = body.Version as number;
      if (version < (seen.get(userId) ?? 0)) {
        backwards.push(`client ${client}: ${userId} at ${version} after ${seen.get(userId)}`);
      }
      seen.set(userId, Math.max(version, seen.get(userId) ?? 0));
      observations.push({
        sentAt,
        answeredAt: Date.now(),
        userId,
        version,
        balanceUpdatedAt: 'BalanceUpdatedAt' in body,
      });
    }
  };
  const load = Promise.all([
    writer(),
    writer(),
    ...Array.from({ length: options.readers }, (_, i) => reader(i)),
  ]);

  /** Writes paused, so that the read models can be compared with a still event store. */
  const foldOf = async (version: 1 | 2) => {
    writing = false;
    try {
      return await waitForReadModels(stage, 60_000, version);
    } finally {
      writing = true;
    }
  };
  const steps: Record<string, unknown> = {};
  const phases: Record<string, [number, number]> = {};
  const timed = async <T>(name: string, step: () => Promise<T>) => {
    const started = Date.now();
    const result = await step();
    phases[name] = [started, Date.now()];
    return result;
  };

  try {
    await pause(2000);
    steps.switchBeforeBuild = await cli('switch', '2');

    // A build killed -9 once it holds its lease: the next is refused until the lease runs out.
    const killed = spawn('npm', ['run', '--silent', 'projections', '--', 'build', '2', ...timing], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: 'ignore',
    });
    for (let i = 0; i < 600; i++) {
      const status = (await registry.statuses()).versions.find((v) => v.version === 2);
      if (status?.lease) break;
      await pause(50);
    }
    await stopProcessGroup(killed, 'SIGKILL');
    steps.buildWhileLeaseHeld = await cli('build', '2');
    await pause(options.leaseSeconds * 1000);
    steps.buildAfterLease = await cli('build', '2');

    // The projector fails on version 2 only: the live version goes on, version 2 is marked behind.
    writeFileSync(options.faultFile, JSON.stringify({ failAfterHistory: 1, versions: [2] }));
    for (let i = 0; i < 600; i++) {
      const status = (await registry.statuses()).versions.find((v) => v.version === 2);
      if (status?.behind) break;
      await pause(100);
    }
    steps.statusWhenBehind = await cli('status');
    steps.switchWhenBehind = await cli('switch', '2');
    rmSync(options.faultFile, { force: true });
    steps.rebuildAfterFault = await cli('build', '2');

    steps.switchTo2 = await timed('switchTo2', () => cli('switch', '2'));
    steps.foldAfterSwitchTo2 = await foldOf(2);
    await pause(3000);
    steps.switchBackTo1 = await timed('switchBackTo1', () => cli('switch', '1'));
    steps.foldAfterSwitchBackTo1 = await foldOf(1);
    steps.foldOf2AfterSwitchBack = await foldOf(2);
    await pause(3000);
    steps.drop2 = await timed('drop2', () => cli('drop', '2'));
    steps.statusAtEnd = await cli('status');
  } finally {
    running = false;
    rmSync(options.faultFile, { force: true });
    await load;
  }

  /**
   * Which version answered the reads made wholly between two moments (sent after the first,
   * answered before the second): BalanceUpdatedAt only in version 2. A read under way while a
   * switch commits may get either, whole.
   */
  const shapes = (from: number, to: number) =>
    new Set(
      observations
        .filter((o) => o.sentAt > from && o.answeredAt < to)
        .map((o) => (o.balanceUpdatedAt ? 2 : 1)),
    );
  const [switchTo2Started, switchedTo2] = phases.switchTo2 ?? [0, 0];
  const [switchBackStarted, switchedBack] = phases.switchBackTo1 ?? [0, 0];
  return {
    statuses: Object.fromEntries(statuses),
    unexpected,
    backwards,
    reads: observations.length,
    versionsBeforeSwitch: [...shapes(0, switchTo2Started)],
    versionsWhileOn2: [...shapes(switchedTo2, switchBackStarted)],
    versionsAfterSwitchBack: [...shapes(switchedBack, Number.POSITIVE_INFINITY)],
    steps,
  };
};
