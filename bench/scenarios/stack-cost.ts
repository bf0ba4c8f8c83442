import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../../scripts/local-stack/paths';
import { startLocalStack } from '../../scripts/local-stack/stack';
import { startCountingProxy } from '../counting-proxy';
import { createUsersOverHttp } from '../fixtures';
import { groupCpuMs, ownCpuMs } from '../process-cpu';
import { hottestModules } from '../profile';
import { round, runLoad } from '../stats';
import { dynamoDbOperationCosts } from './dynamodb-operation-costs';

const PORTS = { http: 3220, lambda: 3222, dynamodb: 8340, localAws: 3224 };
const USERS = 32;

type Settings = { concurrency: number; warmMs: number; runMs: number; profile: boolean };

const balanceCommands = async (baseUrl: string) => {
  const users = Array.from({ length: USERS }, () => `cost-${randomUUID()}`);
  await createUsersOverHttp(baseUrl, users);
  return (worker: number) =>
    fetch(`${baseUrl}/command`, {
      method: 'POST',
      body: JSON.stringify({
        user_id: users[worker % USERS],
        event_type: 'USER_BALANCE',
        payload: { delta: 1 },
      }),
    }).then((response) => {
      if (response.status !== 200) throw new Error(`answered ${response.status}`);
      return response.text();
    });
};

/** A stack of its own, warmed up, then `work` on it; stopped whatever happens. */
const onStack = async <T>(
  env: Record<string, string>,
  work: (stack: Awaited<ReturnType<typeof startLocalStack>>) => Promise<T>,
) => {
  mkdirSync(STATE_DIR, { recursive: true });
  const stack = await startLocalStack({
    ports: PORTS,
    checkpointFile: join(STATE_DIR, 'bench-cost-checkpoints.json'),
    output: { logFile: join(STATE_DIR, 'bench-cost-stack.log') },
    env: { LOG_LEVEL: 'WARN', ...env },
  });
  try {
    return await work(stack);
  } finally {
    await stack.stop();
  }
};

/** CPU per command of each process while `concurrency` clients send USER_BALANCE over HTTP. */
const cpuPerCommand = async ({ concurrency, warmMs, runMs, profile }: Settings) => {
  const profileDir = join(STATE_DIR, 'bench-offline-profile');
  rmSync(profileDir, { recursive: true, force: true });
  const env: Record<string, string> = profile
    ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` }
    : {};
  const measured = await onStack(env, async (stack) => {
    const command = await balanceCommands(stack.baseUrl);
    await runLoad(concurrency, warmMs, command);
    const groups = {
      dynamodb: stack.dynamodb.process.pid as number,
      offline: stack.offline.process.pid as number,
    };
    const before = {
      dynamodb: groupCpuMs(groups.dynamodb),
      offline: groupCpuMs(groups.offline),
      bench: ownCpuMs(),
    };
    const load = await runLoad(concurrency, runMs, command);
    const commands = load.latency.count;
    const per = (after: number, start: number) => round((after - start) / commands, 2);
    const cores = (after: number, start: number) => round((after - start) / runMs, 2);
    const after = {
      dynamodb: groupCpuMs(groups.dynamodb),
      offline: groupCpuMs(groups.offline),
      bench: ownCpuMs(),
    };
    return {
      commandsPerSecond: round(load.perSecond, 0),
      p50: round(load.latency.p50),
      p99: round(load.latency.p99),
      errors: load.errors,
      cpuMsPerCommand: {
        dynamodbLocal: per(after.dynamodb, before.dynamodb),
        offline: per(after.offline, before.offline),
        benchAndLocalAws: per(after.bench, before.bench),
      },
      coresBusy: {
        dynamodbLocal: cores(after.dynamodb, before.dynamodb),
        offline: cores(after.offline, before.offline),
        benchAndLocalAws: cores(after.bench, before.bench),
      },
    };
  });
  const profileFile = profile
    ? readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'))
    : undefined;
  return {
    ...measured,
    offlineModules: profileFile ? hottestModules(join(profileDir, profileFile), 15) : undefined,
  };
};

/** DynamoDB requests per command, by operation and table (through a counting proxy). */
const requestsPerCommand = async ({ concurrency, runMs }: Settings) => {
  const proxy = await startCountingProxy(PORTS.dynamodb);
  try {
    return await onStack({ DYNAMODB_PORT: String(proxy.port) }, async (stack) => {
      const command = await balanceCommands(stack.baseUrl);
      await runLoad(concurrency, 2000, command);
      proxy.reset();
      const load = await runLoad(concurrency, runMs / 2, command);
      // The stream readers and the bus finish the last commands' work.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return [...proxy.counts()]
        .sort((a, b) => b[1] - a[1])
        .map(([request, count]) => ({
          request,
          perCommand: round(count / load.latency.count, 3),
        }));
    });
  } finally {
    await proxy.close();
  }
};

/**
 * Where the local stack's CPU goes for one command over HTTP: each process's CPU per command
 * under load, what the whole stack asks of DynamoDB per command, and what each kind of request
 * costs DynamoDB Local's JVM on an instance of its own. With `profile`, the offline process's
 * hottest modules (a V8 CPU profile of its whole run).
 */
export const stackCost = async (settings: Settings) => ({
  concurrency: settings.concurrency,
  cpu: await cpuPerCommand(settings),
  requests: await requestsPerCommand(settings),
  dynamodbOperations: await dynamoDbOperationCosts(8345),
});
