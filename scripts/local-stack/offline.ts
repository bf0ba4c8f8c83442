import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';
import { requireFreePort } from './ports';
import { stopProcessGroup } from './processes';

export type StackPorts = {
  http: number;
  lambda: number;
  dynamodb: number;
  /** The local stand-ins for the identity provider and Secrets Manager (local-aws.ts). */
  localAws: number;
};

export type OfflineOptions = {
  /** Where the stream plugin keeps its position; one per stack, so stacks never share one. */
  checkpointFile: string;
  /** Inherit the terminal (npm start), or append to a log file (stacks under test). */
  output: 'inherit' | { logFile: string };
  /** Rebuild the bundles when sources change (npm start); stacks under test must not. */
  watch?: boolean;
  env?: Record<string, string>;
  /** Told as soon as the process exists, before it serves: whoever must be able to stop it. */
  onSpawn?: (child: ChildProcess) => void;
};

/** Resolves once `url` answers at all, or rejects when the process dies or time runs out. */
export const waitUntilServing = async (child: ChildProcess, url: string, timeoutMs = 180_000) => {
  const deadline = Date.now() + timeoutMs;
  while (child.exitCode === null && child.signalCode === null) {
    try {
      await fetch(url);
      return;
    } catch {}
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`nothing answered on ${url}`);
};

/**
 * `serverless offline start` of the root serverless.yml (both services and the stream
 * projector) against a DynamoDB Local that runs apart, as one process group that can be stopped
 * or killed with SIGKILL on its own.
 */
export const startOffline = async (ports: StackPorts, options: OfflineOptions) => {
  await requireFreePort(ports.http, 'HTTP');
  await requireFreePort(ports.lambda, 'Lambda invoke');
  const output = options.output === 'inherit' ? 'inherit' : openSync(options.output.logFile, 'a');
  const child: ChildProcess = spawn(
    join(ROOT, 'node_modules/.bin/serverless'),
    ['offline', 'start', '--httpPort', String(ports.http), '--lambdaPort', String(ports.lambda)],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', output, output],
      env: {
        ...process.env,
        DYNAMODB_PORT: String(ports.dynamodb),
        LOCAL_AWS_PORT: String(ports.localAws),
        STREAMS_CHECKPOINT_FILE: options.checkpointFile,
        // A test stack and a developer's stack can run side by side without sharing build output.
        ESBUILD_WORK_FOLDER: `.esbuild/${ports.http}`,
        ...(!options.watch && { ESBUILD_WATCH_PATTERN: '.no-watch' }),
        ...((options.env?.PROJECTOR_FAULT_FILE ?? process.env.PROJECTOR_FAULT_FILE) && {
          PROJECTOR_HANDLER: 'test/faults/projector-with-faults.handler',
          HISTORY_ERASER_HANDLER: 'test/faults/history-eraser-with-faults.handler',
        }),
        ...options.env,
        // serverless-offline's own lines per request ("POST /command (λ: command)", "RequestId:
        // ... Duration") cost a fifth of the process under load; each answer logs its own line.
        SLS_LOG_LEVEL: 'warning',
      },
    },
  );
  options.onSpawn?.(child);
  const baseUrl = `http://localhost:${ports.http}`;
  try {
    await waitUntilServing(child, `${baseUrl}/list?limit=1`);
  } catch (error) {
    await stopProcessGroup(child, 'SIGKILL');
    const where = options.output === 'inherit' ? 'above' : `in ${options.output.logFile}`;
    throw new Error(`the offline stack did not start on ${baseUrl} (see ${where})`, {
      cause: error,
    });
  }
  return {
    baseUrl,
    process: child,
    crash: () => stopProcessGroup(child, 'SIGKILL'),
    stop: () => stopProcessGroup(child, 'SIGINT'),
  };
};

export type OfflineStack = Awaited<ReturnType<typeof startOffline>>;
