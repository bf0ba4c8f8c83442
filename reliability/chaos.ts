import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDbLocal, startDynamoDbLocal } from '../scripts/local-stack/dynamodb-local';
import { startLocalAws } from '../scripts/local-stack/local-aws';
import type { BusCounters, BusFaults } from '../scripts/local-stack/local-bus';
import { type OfflineStack, type StackPorts, startOffline } from '../scripts/local-stack/offline';
import { STATE_DIR } from '../scripts/local-stack/paths';
import { stopProcessGroup } from '../scripts/local-stack/processes';
import {
  ALL_TABLES,
  createTables,
  stageConfig,
  stageTableNames,
} from '../scripts/local-stack/tables';
import { retryCommand, runClients, type SentCommand } from './load';
import { startLossyProxy } from './lossy-proxy';
import { detailWritesAnswered } from './read-model-writes';
import {
  type StoreReport,
  statsOfCountedEvents,
  verifyEventStore,
  waitForReadModels,
  waitForStats,
} from './verify';

export type ChaosOptions = {
  /**
   * What fails mid-run: the offline stack or DynamoDB Local is killed with SIGKILL and
   * restarted (`kills` times), or the network loses `lostShare` of DynamoDB's write responses.
   */
  target: 'stack' | 'dynamodb' | 'network';
  kills: number;
  lostShare?: number;
  clients: number;
  users: number;
  /** Share of the commands sent with an Idempotency-Key (the others have none). */
  keyedShare: number;
  /** Load between two kills. */
  intervalMs: number;
  ports: StackPorts & { proxy: number };
  /** Faults of the event bus meanwhile: entries PutEvents answers failed, deliveries doubled. */
  busFaults?: BusFaults;
};

export type ChaosReport = StoreReport & {
  target: ChaosOptions['target'];
  kills: number;
  retried: number;
  lostResponses?: number;
  readModelMismatches: number;
  mismatchedSamples?: string[];
  /** Users left behind whose detail DynamoDB Local no longer let anyone write after a SIGKILL. */
  unwritableAfterKill?: boolean;
  /**
   * With stats that differ after a SIGKILL of DynamoDB Local: whether the figures are exactly the
   * fold of the events recorded as counted, and how many countable events were not recorded.
   */
  statsOfCounted?: { figuresMatchCounted: boolean; uncounted: number };
  /** What the local bus did: entries accepted and answered failed, deliveries and their retries. */
  bus: BusCounters;
  statsMismatches: string[];
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drives concurrent commands at a stack whose DynamoDB Local keeps its data on disk while the
 * target fails; then retries every unanswered command that has a key, and checks the store and
 * the read models. The stack reaches DynamoDB through a proxy, which loses responses only for
 * the network target.
 */
export const runChaos = async (options: ChaosOptions): Promise<ChaosReport> => {
  const workDir = mkdtempSync(join(tmpdir(), `chaos-${options.target}-`));
  mkdirSync(STATE_DIR, { recursive: true });
  const offlineOptions = {
    checkpointFile: join(workDir, 'stream-checkpoints.json'),
    output: { logFile: join(STATE_DIR, `chaos-${options.target}.log`) },
  };
  const dbPath = join(workDir, 'db');
  mkdirSync(dbPath);
  const { ports } = options;
  const proxy = await startLossyProxy({
    port: ports.proxy,
    targetPort: ports.dynamodb,
    loseShare: options.target === 'network' ? (options.lostShare ?? 0.1) : 0,
  });
  const stackPorts = { ...ports, dynamodb: ports.proxy };

  let dynamodb: DynamoDbLocal = await startDynamoDbLocal(ports.dynamodb, dbPath);
  const localAws = await startLocalAws(ports.localAws, { lambdaPort: ports.lambda });
  localAws.bus.setFaults(options.busFaults ?? {});
  let stack: OfflineStack | undefined;
  try {
    await createTables(dynamodb.endpoint, ALL_TABLES, {
      names: stageTableNames('local', ALL_TABLES),
    });
    stack = await startOffline(stackPorts, offlineOptions);
    const baseUrl = stack.baseUrl;
    const userIds = Array.from(
      { length: options.users },
      (_, i) => `chaos-${i}-${randomUUID().slice(0, 8)}`,
    );
    const clients = runClients(() => baseUrl, userIds, options.clients, options.keyedShare);

    for (let kill = 0; kill < options.kills; kill++) {
      await pause(options.intervalMs * (0.5 + Math.random()));
      if (options.target === 'stack') {
        await stack.crash();
        await pause(500);
        stack = await startOffline(stackPorts, offlineOptions);
      } else if (options.target === 'dynamodb') {
        await stopProcessGroup(dynamodb.process, 'SIGKILL');
        await pause(1000);
        dynamodb = await startDynamoDbLocal(ports.dynamodb, dbPath);
      }
    }
    await pause(options.intervalMs);
    const sent = await clients.stop();

    // Every unanswered command is sent again with its key, as a client would, a few at a time.
    const unanswered = sent.filter((command) => command.status === undefined && command.key);
    const retries: SentCommand[] = [];
    await Promise.all(
      Array.from({ length: options.clients }, async () => {
        for (let command = unanswered.shift(); command; command = unanswered.shift()) {
          retries.push(await retryCommand(baseUrl, command));
        }
      }),
    );

    const stage = stageConfig('local', {
      endpoint: dynamodb.endpoint,
      kmsEndpoint: localAws.endpoint,
    });
    const report = await verifyEventStore(stage, [...sent, ...retries]);
    const mismatched = await waitForReadModels(stage, 120_000);
    const behind = mismatched.map((sample) => sample.slice(0, sample.indexOf(':')));
    const unwritableAfterKill =
      options.target === 'dynamodb' &&
      mismatched.length > 0 &&
      !(await detailWritesAnswered(dynamodb.endpoint, stage.readModelTables.detail, behind));
    // Faults end with the load: what failed is published again, what is in flight delivered.
    localAws.bus.setFaults({});
    const statsMismatches = await waitForStats(stage, 120_000, { settled: localAws.bus.settled });
    const statsOfCounted =
      options.target === 'dynamodb' && statsMismatches.length > 0
        ? await statsOfCountedEvents(stage)
        : undefined;
    return {
      ...report,
      target: options.target,
      kills: options.target === 'network' ? 0 : options.kills,
      retried: retries.length,
      ...(options.target === 'network' && { lostResponses: proxy.counts().lost }),
      readModelMismatches: mismatched.length,
      ...(mismatched.length > 0 && { mismatchedSamples: mismatched.slice(0, 5) }),
      ...(unwritableAfterKill && { unwritableAfterKill }),
      ...(statsOfCounted && { statsOfCounted }),
      bus: localAws.bus.counters(),
      statsMismatches,
    };
  } finally {
    await stack?.stop();
    await stopProcessGroup(dynamodb.process, 'SIGKILL');
    await localAws.stop();
    await proxy.close();
    rmSync(workDir, { recursive: true, force: true });
  }
};
