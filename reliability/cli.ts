// Full-size reliability runs, on demand:
//   npm run chaos    kill -9 the offline stack, then DynamoDB Local, 5 times each, under load;
//                    then lose 10% of DynamoDB's write responses for 30 s (half the commands
//                    without an Idempotency-Key); CHAOS_TARGETS=network picks targets. All the
//                    while the event bus answers 20% of entries failed and delivers 20% twice.
//   npm run soak     5 minutes at concurrency 16 (SOAK_SECONDS, SOAK_CONCURRENCY to change)
//   npm run fuzz     20,000 fuzz cases (FUZZ_RUNS) through jest against a fresh stack
//   npm run erasure-drill   erase users of 10,000 and 100,000 events (ERASURE_EVENTS) while the
//                    history table takes 1,000 writes/s (ERASURE_WRITES_PER_SECOND), as one hot
//                    partition does in AWS; the history eraser runs on its schedule (1/minute)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../scripts/require-node.cjs';
import { startLocalStack } from '../scripts/local-stack/stack';
import { runChaos } from './chaos';
import { runErasureDrill } from './erasure-drill';
import { runSoak } from './soak';

const erasureDrill = async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'erasure-drill-'));
  const faultFile = join(workDir, 'faults.json');
  const stack = await startLocalStack({
    ports,
    checkpointFile: join(workDir, 'checkpoints.json'),
    output: { logFile: join(workDir, 'stack.log') },
    env: { LOG_LEVEL: 'WARN', PROJECTOR_FAULT_FILE: faultFile },
  });
  try {
    for (const events of (process.env.ERASURE_EVENTS ?? '10000,100000').split(',').map(Number)) {
      const report = await runErasureDrill({
        baseUrl: stack.baseUrl,
        endpoint: stack.endpoint,
        kmsEndpoint: `http://localhost:${ports.localAws}`,
        faultFile,
        events,
        historyWritesPerSecond: Number(process.env.ERASURE_WRITES_PER_SECOND ?? 1000),
        timeoutMs: 1_800_000,
      });
      console.log(JSON.stringify(report, null, 2));
    }
  } finally {
    await stack.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
};

const ports = { http: 3600, lambda: 3602, dynamodb: 8700, proxy: 8701, localAws: 3604 };
const TARGETS = ['stack', 'dynamodb', 'network'] as const;

const main = async () => {
  const what = process.argv[2];
  if (what === 'chaos') {
    const chosen = process.env.CHAOS_TARGETS?.split(',') ?? TARGETS;
    for (const target of TARGETS.filter((t) => chosen.includes(t))) {
      const report = await runChaos({
        target,
        kills: 5,
        lostShare: 0.1,
        clients: 8,
        users: 30,
        keyedShare: target === 'network' ? 0.5 : 1,
        intervalMs: 6000,
        ports,
        busFaults: { failShare: 0.2, duplicateShare: 0.2 },
      });
      console.log(JSON.stringify(report, null, 2));
    }
  } else if (what === 'soak') {
    const report = await runSoak({
      durationMs: Number(process.env.SOAK_SECONDS ?? 300) * 1000,
      concurrency: Number(process.env.SOAK_CONCURRENCY ?? 16),
      users: 100,
      ports,
    });
    console.log(JSON.stringify(report, null, 2));
  } else if (what === 'erasure') {
    await erasureDrill();
  } else {
    throw new Error('usage: cli.ts chaos|soak|erasure');
  }
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
