import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/**
 * Starts the whole offline stack (DynamoDB Local, both services, the stream projector) through
 * `scripts/start.mjs` on ports apart from `npm start`'s, unless E2E_BASE_URL points at one already.
 */
export default async () => {
  if (process.env.E2E_BASE_URL) return;
  const port = process.env.E2E_HTTP_PORT ?? '3100';
  const dynamodbPort = process.env.E2E_DYNAMODB_PORT ?? '8200';
  const logDir = join(ROOT, '.test-state');
  mkdirSync(logDir, { recursive: true });
  const log = openSync(join(logDir, 'e2e-stack.log'), 'w');
  const stack = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs')], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      PORT: port,
      LAMBDA_PORT: process.env.E2E_LAMBDA_PORT ?? '3102',
      DYNAMODB_PORT: dynamodbPort,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
      // A stack under test must not rebuild itself when files change around it.
      ESBUILD_WATCH_PATTERN: '.no-watch',
    },
  });
  (globalThis as Record<string, unknown>).e2eStack = stack;
  const baseUrl = `http://localhost:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (stack.exitCode !== null) break;
    try {
      if ((await fetch(`${baseUrl}/list?limit=1`)).status === 200) {
        process.env.E2E_BASE_URL = baseUrl;
        process.env.E2E_DYNAMODB_PORT = dynamodbPort;
        return;
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`The offline stack did not come up on ${baseUrl}; see .test-state/e2e-stack.log`);
};
