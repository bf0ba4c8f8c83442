import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createDocumentClient } from '@users/shared/dynamo';
import { build, type Plugin } from 'esbuild';
import { startDynamoDbLocal } from '../../scripts/local-stack/dynamodb-local';
import { startLocalAws } from '../../scripts/local-stack/local-aws';
import { stopProcessGroup } from '../../scripts/local-stack/processes';
import { BUILD_DIR, FUNCTIONS } from '../bundles';
import { benchDataKeys, commandFunctionTables, sealedHistoryItems, writeItems } from '../fixtures';
import { type HttpHandler, httpEvent, lambdaContext } from '../lambda';
import { ownCpuMs } from '../process-cpu';
import { bundleModulesBySelfTime, recordProfile } from '../profile';
import { round, runLoad } from '../stats';

const ROOT = join(__dirname, '../..');
const USERS = 2000;

/** Who a module's time is counted against. */
const groupOf = (module: string) => {
  if (/^(services|shared)\//.test(module)) return "the product's own code";
  if (module.startsWith('@aws-lambda-powertools/')) return 'Powertools';
  if (module.startsWith('@middy/')) return 'Middy';
  if (/^@(aws-sdk|smithy|aws-crypto)\//.test(module)) return 'AWS SDK';
  if (module.startsWith('node ')) return 'Node and V8 (sockets, HTTP, crypto, GC)';
  return 'other packages';
};

const byGroup = (modules: { module: string; busyPercent: number }[]) => {
  const groups = new Map<string, number>();
  for (const { module, busyPercent } of modules) {
    groups.set(groupOf(module), (groups.get(groupOf(module)) ?? 0) + busyPercent);
  }
  return [...groups]
    .sort((a, b) => b[1] - a[1])
    .map(([group, busyPercent]) => ({ group, busyPercent: round(busyPercent, 1) }));
};

/**
 * BENCH_ONLY=command-profile: where the command function's CPU goes, by source module. Its handler,
 * bundled unminified (`.cjs`, so that no loader rewrites it), sends USER_BALANCE +1 at concurrency
 * 8 to users of one event on a DynamoDB Local of its own, warmed up, then once more under V8's
 * sampling profiler: self time per package or project file, and the process's CPU per command.
 */
export const commandProfile = async ({
  port,
  warmUpMs,
  runMs,
}: {
  port: number;
  warmUpMs: number;
  runMs: number;
}) => {
  const dynamodb = await startDynamoDbLocal(port);
  const localAws = await startLocalAws(port + 1);
  try {
    const tables = await commandFunctionTables(dynamodb.endpoint);
    const keys = benchDataKeys(dynamodb.endpoint, localAws.endpoint, tables.DataKeysTable);
    const users = Array.from({ length: USERS }, (_, i) => `profiled-${i}-${randomUUID()}`);
    const items: Record<string, unknown>[] = [];
    for (const userId of users) items.push(...(await sealedHistoryItems(keys, userId, 1)));
    await writeItems(
      createDocumentClient({ endpoint: dynamodb.endpoint }),
      tables.EventsTable,
      items,
    );

    const bundle = join(BUILD_DIR, 'command-unminified.cjs');
    await build({
      entryPoints: [join(ROOT, FUNCTIONS.command)],
      outfile: bundle,
      bundle: true,
      minify: false,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      plugins: require(join(ROOT, 'shared/serverless/esbuild-plugins.cjs')) as Plugin[],
      logLevel: 'error',
    });
    const { handler } = require(bundle) as { handler: HttpHandler };
    const context = lambdaContext('command');
    let turn = 0;
    const command = async () => {
      const body = {
        user_id: users[turn++ % users.length],
        event_type: 'USER_BALANCE',
        payload: { delta: 1 },
      };
      const response = await handler(httpEvent('POST', '/command', { body }), context);
      if (response.statusCode !== 200) throw new Error(response.body);
    };
    await runLoad(8, warmUpMs, command);
    // Measured without the profiler, which costs CPU of its own; then profiled.
    const cpuBefore = ownCpuMs();
    const unprofiled = await runLoad(8, runMs, command);
    const cpuMs = ownCpuMs() - cpuBefore;
    const { profile } = await recordProfile(() => runLoad(8, runMs, command));
    const modules = bundleModulesBySelfTime(profile, bundle, Number.POSITIVE_INFINITY);
    return {
      commandsPerSecond: Math.round(unprofiled.perSecond),
      nodeCpuMsPerCommand: round(cpuMs / Math.max(1, unprofiled.latency.count)),
      errors: unprofiled.errors,
      groups: byGroup(modules),
      modules: modules.slice(0, 30),
    };
  } finally {
    await stopProcessGroup(dynamodb.process, 'SIGKILL');
    await localAws.stop();
  }
};
