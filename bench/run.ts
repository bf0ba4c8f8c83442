// `npm run bench`: starts a fresh local stack (unless BASE_URL is set), runs every scenario,
// prints a table and writes bench/results/<date>.json. Every figure has a baseline measured in
// the same run, on the same DynamoDB Local: compare ratios, not absolute numbers.
//
//   BENCH_QUICK=1 npm run bench    shorter runs and a 20,000-event rebuild, for a smoke test
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { stopProcessGroup } from '../test/support/processes';
import { buildBundles } from './bundles';
import { printReport } from './report';
import { coldStart } from './scenarios/cold-start';
import { commandPath } from './scenarios/command-path';
import { historyCost } from './scenarios/history-cost';
import { projectionLag } from './scenarios/projection-lag';
import { rebuild } from './scenarios/rebuild';

const ROOT = join(__dirname, '..');
const quick = process.env.BENCH_QUICK === '1';
const PORTS = { http: '3200', lambda: '3202', dynamodb: '8300' };

const startStack = async (): Promise<{
  baseUrl: string;
  endpoint: string;
  stack?: ChildProcess;
}> => {
  if (process.env.BASE_URL) {
    return {
      baseUrl: process.env.BASE_URL,
      endpoint: `http://localhost:${process.env.DYNAMODB_PORT ?? '8000'}`,
    };
  }
  const stack = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs')], {
    cwd: ROOT,
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      PORT: PORTS.http,
      LAMBDA_PORT: PORTS.lambda,
      DYNAMODB_PORT: PORTS.dynamodb,
      LOG_LEVEL: 'WARN',
      // A stack under test must not rebuild itself when files change around it.
      ESBUILD_WATCH_PATTERN: '.no-watch',
    },
  });
  const baseUrl = `http://localhost:${PORTS.http}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${baseUrl}/list?limit=1`)).status === 200) {
        return { baseUrl, endpoint: `http://localhost:${PORTS.dynamodb}`, stack };
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await stopProcessGroup(stack, 'SIGINT');
  throw new Error('the local stack did not start');
};

const main = async () => {
  const bundles = await buildBundles();
  const { baseUrl, endpoint, stack } = await startStack();
  const settings = { runMs: quick ? 1000 : 3000, rounds: quick ? 2 : 4 };
  const log = (step: string) => console.error(`[bench ${new Date().toISOString()}] ${step}`);
  try {
    log('command path');
    const command = await commandPath({ endpoint, baseUrl, ...settings }, bundles.command.file);
    log('history cost');
    const history = await historyCost({ endpoint, rounds: settings.rounds }, bundles.command.file);
    log('projection lag');
    const lag = await projectionLag({ endpoint, baseUrl, commands: quick ? 50 : 200 });
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
      machine: {
        cpus: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      quick,
      commandPath: command,
      historyCost: history,
      projectionLag: lag,
      rebuild: rebuilt,
      coldStart: cold,
    };
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${results.date.slice(0, 10)}${quick ? '-quick' : ''}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    printReport(results);
    console.log(`\nWritten to ${file}`);
  } finally {
    if (stack) await stopProcessGroup(stack, 'SIGINT');
  }
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
