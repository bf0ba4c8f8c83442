import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { round, summarize } from '../bench/stats';
import type { StackPorts } from '../scripts/local-stack/offline';
import { STATE_DIR } from '../scripts/local-stack/paths';
import { startLocalStack } from '../scripts/local-stack/stack';
import { stageConfig } from '../scripts/local-stack/tables';
import { randomCommand, type SentCommand, sendCommand } from './load';
import { type StoreReport, verifyEventStore, waitForReadModels } from './verify';

export type SoakOptions = {
  durationMs: number;
  concurrency: number;
  users: number;
  ports: StackPorts;
};

export type SoakReport = StoreReport & {
  durationSeconds: number;
  requests: number;
  unexpected: number;
  unexpectedSamples: string[];
  rssMiB: { afterWarmUp: number; end: number };
  projectionLag: { samples: number; p50: number; p99: number };
  readModelMismatches: number;
};

const EXPECTED = {
  command: new Set([200, 404, 409, 410, 422]),
  query: new Set([200, 404]),
};

/** Resident memory of every process listening on the stack's ports and their groups (MiB). */
const residentMiB = (pids: number[]) => {
  const output = execFileSync('ps', ['-o', 'rss=', '-p', pids.join(',')], { encoding: 'utf8' });
  return round(
    output.split('\n').reduce((sum, line) => sum + (Number(line.trim()) || 0), 0) / 1024,
    0,
  );
};

const groupPids = (pgids: number[]) =>
  execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, pgid]) => pgids.includes(pgid as number))
    .map(([pid]) => pid as number);

/**
 * `concurrency` clients mixing commands and queries for `durationMs` against a fresh stack:
 * statuses, lost or duplicated events, memory after warm-up and at the end, projection lag.
 */
export const runSoak = async (options: SoakOptions): Promise<SoakReport> => {
  const workDir = mkdtempSync(join(tmpdir(), 'soak-'));
  mkdirSync(STATE_DIR, { recursive: true });
  const stack = await startLocalStack({
    ports: options.ports,
    checkpointFile: join(workDir, 'stream-checkpoints.json'),
    output: { logFile: join(STATE_DIR, 'soak.log') },
  });
  try {
    const { baseUrl } = stack;
    const pgids = [stack.dynamodb.process.pid as number, stack.offline.process.pid as number];
    const userIds = Array.from(
      { length: options.users },
      (_, i) => `soak-${i}-${randomUUID().slice(0, 8)}`,
    );
    const sent: SentCommand[] = [];
    const lags: number[] = [];
    const unexpectedSamples: string[] = [];
    let requests = 0;
    let unexpected = 0;
    const flag = (what: string) => {
      unexpected++;
      if (unexpectedSamples.length < 10) unexpectedSamples.push(what);
    };
    const started = Date.now();
    let rssAfterWarmUp = 0;
    const warmUp = setTimeout(() => {
      rssAfterWarmUp = residentMiB(groupPids(pgids));
    }, options.durationMs / 5);

    await Promise.all(
      Array.from({ length: options.concurrency }, async (_, worker) => {
        for (let i = 0; Date.now() - started < options.durationMs; i++) {
          requests++;
          if (i % 5 < 3) {
            const command = await sendCommand(baseUrl, randomCommand(userIds));
            sent.push(command);
            if (!EXPECTED.command.has(command.status ?? 0)) flag(`command ${command.status}`);
            const sequence = command.response?.sequence;
            if (command.status === 200 && sequence && i % 10 === 0) {
              const answered = performance.now();
              for (;;) {
                const detail = await fetch(`${baseUrl}/detail?user_id=${command.body.user_id}`);
                const body = (await detail.json()) as { Version?: number };
                if (detail.status !== 200 || (body.Version ?? 0) >= sequence) break;
                await new Promise((resolve) => setTimeout(resolve, 5));
              }
              lags.push(performance.now() - answered);
            }
          } else {
            const userId = userIds[(worker + i) % userIds.length] as string;
            const path = [
              `/detail?user_id=${userId}`,
              '/list?limit=20',
              `/history?user_id=${userId}&limit=10`,
            ][i % 3];
            try {
              const response = await fetch(`${baseUrl}${path}`);
              await response.arrayBuffer();
              if (!EXPECTED.query.has(response.status)) flag(`${path} ${response.status}`);
            } catch (error) {
              flag(`${path} ${(error as Error).message}`);
            }
          }
        }
      }),
    );
    clearTimeout(warmUp);
    const rssEnd = residentMiB(groupPids(pgids));
    const stage = stageConfig('local', {
      endpoint: stack.endpoint,
      kmsEndpoint: `http://localhost:${options.ports.localAws}`,
    });
    const store = await verifyEventStore(stage, sent);
    const mismatched = await waitForReadModels(stage, 120_000);
    const lag = summarize(lags);
    return {
      ...store,
      durationSeconds: round(options.durationMs / 1000, 0),
      requests,
      unexpected,
      unexpectedSamples,
      rssMiB: { afterWarmUp: rssAfterWarmUp, end: rssEnd },
      projectionLag: { samples: lag.count, p50: round(lag.p50), p99: round(lag.p99) },
      readModelMismatches: mismatched.length,
    };
  } finally {
    await stack.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
};
