import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcessGroup } from '../test/support/processes';

const ROOT = join(__dirname, '..');

export type StackPorts = { http: number; lambda: number; dynamodb: number };

/**
 * The offline stack (both services and the projector) as one process group that can be killed
 * with SIGKILL, against a DynamoDB Local that runs apart (so either can crash alone).
 */
export const startOfflineStack = async (
  ports: StackPorts,
  {
    checkpointFile,
    logFile,
    env = {},
  }: { checkpointFile: string; logFile: string; env?: Record<string, string> },
) => {
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    join(ROOT, 'node_modules/.bin/serverless'),
    ['offline', 'start', '--httpPort', String(ports.http), '--lambdaPort', String(ports.lambda)],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        DYNAMODB_PORT: String(ports.dynamodb),
        DYNAMODB_NO_START: 'true',
        STREAMS_CHECKPOINT_FILE: checkpointFile,
        ESBUILD_WORK_FOLDER: `.esbuild/${ports.http}`,
        LOG_LEVEL: 'WARN',
        // A stack under test must not rebuild itself when files change around it.
        ESBUILD_WATCH_PATTERN: '.no-watch',
        ...env,
      },
    },
  );
  const baseUrl = `http://localhost:${ports.http}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${baseUrl}/list?limit=1`)).status === 200) break;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (child.exitCode !== null || Date.now() >= deadline) {
    await stopProcessGroup(child, 'SIGKILL');
    throw new Error(`the offline stack did not start on ${baseUrl}; see ${logFile}`);
  }
  return {
    baseUrl,
    pid: child.pid as number,
    crash: () => stopProcessGroup(child, 'SIGKILL'),
    stop: () => stopProcessGroup(child, 'SIGINT'),
  };
};

export type OfflineStack = Awaited<ReturnType<typeof startOfflineStack>>;
