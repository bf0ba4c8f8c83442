import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageConfig } from '../scripts/stage-config';
import { type DynamoDbLocal, startDynamoDbLocal } from '../test/support/dynamodb-local';
import { stopProcessGroup } from '../test/support/processes';
import { runClients, type SentCommand, sendCommand } from './load';
import { type OfflineStack, type StackPorts, startOfflineStack } from './stack';
import { type StoreReport, verifyEventStore, waitForReadModels } from './verify';

export type ChaosOptions = {
  /** What is killed with SIGKILL mid-run: the offline stack, or DynamoDB Local itself. */
  target: 'stack' | 'dynamodb';
  kills: number;
  clients: number;
  users: number;
  /** Load between two kills. */
  intervalMs: number;
  ports: StackPorts;
};

export type ChaosReport = StoreReport & {
  target: ChaosOptions['target'];
  kills: number;
  retried: number;
  readModelMismatches: number;
  mismatchedSamples?: string[];
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drives concurrent commands at a stack whose DynamoDB Local keeps its data on disk, kills the
 * target with SIGKILL mid-run and restarts it, `kills` times; then retries every unanswered
 * command with its Idempotency-Key and checks the store and the read models.
 */
export const runChaos = async (options: ChaosOptions): Promise<ChaosReport> => {
  const workDir = mkdtempSync(join(tmpdir(), `chaos-${options.target}-`));
  const logDir = join(__dirname, '../.test-state');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `chaos-${options.target}.log`);
  const stackOptions = { checkpointFile: join(workDir, 'stream-checkpoints.json'), logFile };
  const dbPath = join(workDir, 'db');
  mkdirSync(dbPath);

  let dynamodb: DynamoDbLocal = await startDynamoDbLocal(options.ports.dynamodb, dbPath);
  let stack: OfflineStack | undefined;
  try {
    stack = await startOfflineStack(options.ports, stackOptions);
    const baseUrl = stack.baseUrl;
    const userIds = Array.from(
      { length: options.users },
      (_, i) => `chaos-${i}-${randomUUID().slice(0, 8)}`,
    );
    const clients = runClients(() => baseUrl, userIds, options.clients);

    for (let kill = 0; kill < options.kills; kill++) {
      await pause(options.intervalMs * (0.5 + Math.random()));
      if (options.target === 'stack') {
        await stack.crash();
        await pause(500);
        stack = await startOfflineStack(options.ports, stackOptions);
      } else {
        await stopProcessGroup(dynamodb.process, 'SIGKILL');
        await pause(1000);
        dynamodb = await startDynamoDbLocal(options.ports.dynamodb, dbPath);
      }
    }
    await pause(options.intervalMs);
    const sent = await clients.stop();

    const unanswered = sent.filter((command) => command.status === undefined);
    const retries: SentCommand[] = [];
    for (const command of unanswered)
      retries.push(await sendCommand(baseUrl, command.body, command.key));

    const stage = stageConfig('local', { endpoint: dynamodb.endpoint });
    const report = await verifyEventStore(stage, 'users-local-idempotency', [...sent, ...retries]);
    const mismatched = await waitForReadModels(stage, 120_000);
    return {
      ...report,
      target: options.target,
      kills: options.kills,
      retried: retries.length,
      readModelMismatches: mismatched.length,
      ...(mismatched.length > 0 && { mismatchedSamples: mismatched.slice(0, 5) }),
    };
  } finally {
    await stack?.stop();
    await stopProcessGroup(dynamodb.process, 'SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  }
};
