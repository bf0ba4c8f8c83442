// `npm run bench`: starts a fresh local stack (unless BASE_URL is set), runs every scenario,
// prints a table and writes bench/results/<date>.json. Every figure has a baseline measured in
// the same run, on the same DynamoDB Local: compare ratios, not absolute numbers.
//
//   BENCH_QUICK=1 npm run bench    shorter runs and a 20,000-event rebuild, for a smoke test
import '../scripts/require-node.cjs';
import './in-process-metrics';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { STATE_DIR } from '../scripts/local-stack/paths';
import { type LocalStack, startLocalStack } from '../scripts/local-stack/stack';
import { buildBundles } from './bundles';
import { printPeers, printReport, printStackCost } from './report';
import { coldBurst } from './scenarios/cold-burst';
import { coldStart } from './scenarios/cold-start';
import { commandPath } from './scenarios/command-path';
import { commandProfile } from './scenarios/command-profile';
import { historyCost } from './scenarios/history-cost';
import { hotUser } from './scenarios/hot-user';
import { peers } from './scenarios/peers';
import { projectionLag } from './scenarios/projection-lag';
import { projectorThroughput } from './scenarios/projector-throughput';
import { publishPath } from './scenarios/publish-path';
import { queryPath } from './scenarios/query-path';
import { rebuild } from './scenarios/rebuild';
import { stackCost } from './scenarios/stack-cost';

const quick = process.env.BENCH_QUICK === '1';
/**
 * BENCH_ONLY=peers, rebuild, stack, cold-start or command-profile runs that scenario alone (on DynamoDB Locals and
 * a stack of its own; cold-start needs neither).
 */
const only = process.env.BENCH_ONLY;
/**
 * The peers on DynamoDB Locals of their own (one per contender, ports 8330-8336), or with
 * BENCH_PEERS_SHARED=1 all on one, as the bench ran them before (to compare: docs/benchmarks.md).
 */
const peerSettings = {
  port: 8330,
  rounds: quick ? 2 : 5,
  warmUpMs: quick ? 3000 : 10_000,
  options: {
    profile: process.env.BENCH_CPU_PROFILE === '1',
    shared: process.env.BENCH_PEERS_SHARED === '1',
  },
};
const PORTS = { http: 3200, lambda: 3202, dynamodb: 8300, localAws: 3204 };

const startStack = async (): Promise<{
  baseUrl: string;
  endpoint: string;
  kmsEndpoint: string;
  stack?: LocalStack;
}> => {
  if (process.env.BASE_URL) {
    return {
      baseUrl: process.env.BASE_URL,
      endpoint: `http://localhost:${process.env.DYNAMODB_PORT ?? '8000'}`,
      kmsEndpoint: `http://localhost:${process.env.LOCAL_AWS_PORT ?? '3004'}`,
    };
  }
  mkdirSync(STATE_DIR, { recursive: true });
  const stack = await startLocalStack({
    ports: PORTS,
    checkpointFile: join(STATE_DIR, 'bench-stream-checkpoints.json'),
    output: { logFile: join(STATE_DIR, 'bench-stack.log') },
    env: { LOG_LEVEL: 'WARN' },
  });
  return {
    baseUrl: stack.baseUrl,
    endpoint: stack.endpoint,
    kmsEndpoint: `http://localhost:${PORTS.localAws}`,
    stack,
  };
};

/** `bench/results/<base>.json`, or beside a run of the same day (-2, -3, ...), never over it. */
const resultsFile = (base: string) => {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  let file = join(dir, `${base}.json`);
  for (let n = 2; existsSync(file); n++) file = join(dir, `${base}-${n}.json`);
  return file;
};

/** Writes a scenario run alone to `bench/results/<date>-<name>[-quick].json`. */
const writeAlone = (name: string, results: unknown) => {
  const file = resultsFile(
    `${new Date().toISOString().slice(0, 10)}-${name}${quick ? '-quick' : ''}`,
  );
  const run = { date: new Date().toISOString(), machine: machine(), [name]: results };
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  console.log(`\nWritten to ${file}`);
};

const peersAlone = async () => {
  const bundles = await buildBundles();
  const { port, rounds, warmUpMs, options } = peerSettings;
  const results = await peers(
    { port, runMs: quick ? 1000 : 3000, warmUpMs, rounds },
    bundles.command.file,
    options,
  );
  printPeers(results);
  writeAlone(options.shared ? 'peers-shared' : 'peers', results);
};

/** BENCH_ONLY=rebuild: the rebuild, a projection build and the live pointer's cost, alone. */
const rebuildAlone = async () => {
  const results = await rebuild({
    port: 8310,
    users: quick ? 200 : 1000,
    eventsPerUser: 100,
    rounds: quick ? 1 : 2,
  });
  console.log(JSON.stringify(results, null, 2));
  writeAlone('rebuild', results);
};

/** BENCH_ONLY=stack: where the local stack's CPU goes per command over HTTP. */
const stackAlone = async () => {
  const results = await stackCost({
    concurrency: 8,
    warmMs: quick ? 3000 : 15_000,
    runMs: quick ? 5000 : 20_000,
    profile: process.env.BENCH_CPU_PROFILE === '1',
  });
  printStackCost(results);
  writeAlone('stack', results);
};

/** BENCH_ONLY=command-profile: where the command function's CPU goes, by source module. */
const commandProfileAlone = async () => {
  const results = await commandProfile({
    port: 8350,
    warmUpMs: quick ? 3000 : 10_000,
    runMs: quick ? 3000 : 8000,
  });
  console.log(
    `\nThe command function, USER_BALANCE +1 at concurrency 8: ${results.commandsPerSecond}/s, ${results.nodeCpuMsPerCommand} ms of this process's CPU per command; where it goes (a second run, profiled; % of busy time):\n`,
  );
  console.table(results.groups);
  console.table(results.modules);
  writeAlone('command-profile', results);
};

/** BENCH_ONLY=cold-start: every bundle's size and import time in fresh processes, alone. */
const coldStartAlone = async () => {
  const results = await coldStart(await buildBundles(), quick ? 3 : 10);
  console.table(results);
  writeAlone('cold-start', results);
};

const machine = () => ({
  cpus: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
});

const main = async () => {
  if (only === 'peers') return peersAlone();
  if (only === 'rebuild') return rebuildAlone();
  if (only === 'stack') return stackAlone();
  if (only === 'cold-start') return coldStartAlone();
  if (only === 'command-profile') return commandProfileAlone();
  const bundles = await buildBundles();
  const { baseUrl, endpoint, kmsEndpoint, stack } = await startStack();
  const settings = { runMs: quick ? 1000 : 3000, rounds: quick ? 2 : 4 };
  const log = (step: string) => console.error(`[bench ${new Date().toISOString()}] ${step}`);
  try {
    // First, while the stack is as fresh as `npm start` leaves it.
    log('cold burst');
    const burst = stack ? await coldBurst(baseUrl, 40) : undefined;
    log('command path');
    const command = await commandPath(
      { endpoint, kmsEndpoint, baseUrl, ...settings },
      bundles.command.file,
    );
    log('peers: Castore, Equinox and the raw loop');
    // Not on the stack's DynamoDB Local: there the tables made after the command path answered
    // Castore and the raw loop 10 commands/s (why: docs/benchmarks.md, the peers section).
    const peerResults = await peers(
      { ...peerSettings, runMs: settings.runMs },
      bundles.command.file,
      peerSettings.options,
    );
    log('query path');
    const query = await queryPath({ endpoint, baseUrl, ...settings }, bundles.detail.file);
    log('history cost');
    const history = await historyCost(
      { endpoint, kmsEndpoint, rounds: settings.rounds },
      bundles.command.file,
    );
    log('projection lag');
    const lag = await projectionLag({ endpoint, baseUrl, commands: quick ? 50 : 200 });
    log('projection lag under load');
    const loadedLag = await projectionLag({
      endpoint,
      baseUrl,
      commands: quick ? 50 : 200,
      backgroundClients: 16,
    });
    log('publish path');
    const publish = await publishPath(
      { endpoint, kmsEndpoint, baseUrl, rounds: settings.rounds, commands: quick ? 50 : 200 },
      bundles.publisher.file,
    );
    log('hot user');
    const hot = await hotUser({
      port: 8320,
      runMs: quick ? 1000 : 3000,
      rounds: quick ? 1 : 3,
    });
    log('projector throughput');
    const projector = await projectorThroughput(
      quick ? { users: 200, eventsPerUser: 50 } : { users: 1000, eventsPerUser: 100 },
    );
    log('rebuild');
    const rebuilt = await rebuild({
      port: 8310,
      users: quick ? 200 : 1000,
      eventsPerUser: 100,
      rounds: quick ? 1 : 2,
    });
    log('cold start');
    const cold = await coldStart(bundles, 10);

    const results = {
      date: new Date().toISOString(),
      machine: machine(),
      quick,
      coldBurst: burst,
      commandPath: command,
      peers: peerResults,
      queryPath: query,
      historyCost: history,
      projectionLag: lag,
      loadedProjectionLag: loadedLag,
      publishPath: publish,
      hotUser: hot,
      projectorThroughput: projector,
      rebuild: rebuilt,
      coldStart: cold,
    };
    const file = resultsFile(`${results.date.slice(0, 10)}${quick ? '-quick' : ''}`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    printReport(results);
    console.log(`\nWritten to ${file}`);
  } finally {
    await stack?.stop();
  }
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
