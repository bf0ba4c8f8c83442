import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_DIR } from '../../scripts/local-stack/paths';
import { startLocalStack } from '../../scripts/local-stack/stack';

/**
 * Starts the whole offline stack (DynamoDB Local, both services, the stream projector) on ports
 * apart from `npm start`'s, unless E2E_BASE_URL points at one already.
 */
export default async () => {
  if (process.env.E2E_BASE_URL) return;
  mkdirSync(STATE_DIR, { recursive: true });
  const ports = {
    http: Number(process.env.E2E_HTTP_PORT ?? 3100),
    lambda: Number(process.env.E2E_LAMBDA_PORT ?? 3102),
    dynamodb: Number(process.env.E2E_DYNAMODB_PORT ?? 8200),
    localAws: Number(process.env.E2E_LOCAL_AWS_PORT ?? 3104),
  };
  const logFile = join(STATE_DIR, 'e2e-stack.log');
  rmSync(logFile, { force: true });
  const stack = await startLocalStack({
    ports,
    checkpointFile: join(STATE_DIR, 'e2e-stream-checkpoints.json'),
    output: { logFile },
    // INFO: a test reads the lines each request logs (scripts/offline-in-process.e2e.test.ts).
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'INFO' },
  });
  (globalThis as Record<string, unknown>).e2eStack = stack;
  process.env.E2E_BASE_URL = stack.baseUrl;
  process.env.E2E_STACK_LOG = logFile;
  process.env.E2E_DYNAMODB_PORT = String(ports.dynamodb);
  process.env.E2E_LOCAL_AWS_PORT = String(ports.localAws);
};
