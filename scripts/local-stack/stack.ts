import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rebuildWithProgress } from '../rebuild-with-progress';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { startLocalAws } from './local-aws';
import { LOCAL_AUDIENCE } from './local-issuer';
import { type OfflineOptions, type StackPorts, startOffline } from './offline';
import { requireFreePort } from './ports';
import { stopProcessGroup } from './processes';
import { checkpointAtStreamEnd, forgetCheckpoints, keepCheckpointsOf } from './stream-checkpoints';
import {
  ALL_TABLES,
  createTables,
  deleteTables,
  READ_MODEL_TABLES,
  stageConfig,
  stageTableNames,
} from './tables';

export type LocalStackOptions = OfflineOptions & {
  ports: StackPorts;
  /** Keep the data in this folder across restarts; in memory when absent. */
  dbPath?: string;
  /** Rebuild the read models from the event store even after a clean stop. */
  rebuild?: boolean;
  /** Require a token from the local issuer on every route, as a deployed stage does. */
  auth?: boolean;
  log?: (line: string) => void;
};

/**
 * While a stack runs on a folder, this file in it names its processes. Found at start, it means
 * the last run did not stop cleanly (a kill -9, an OOM kill, a power cut).
 */
const lockFileOf = (dbPath: string) => join(dbPath, '.in-use.json');
type Lock = { dynamodbPid?: number; offlinePid?: number };

/** The processes a stack running on `dbPath` started, if one runs or crashed there. */
export const readLock = (dbPath: string): Lock | undefined => {
  const file = lockFileOf(dbPath);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8') || '{}') : undefined;
};

const isAlive = (pid: number | undefined, command: string) => {
  try {
    return pid !== undefined && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(command);
  } catch {
    return false;
  }
};

/** Processes a crashed run left behind would hold the ports (and DynamoDB Local the files). */
const stopLeftovers = async (lock: Lock) => {
  const leftovers = (
    [
      [lock.offlinePid, 'serverless'],
      [lock.dynamodbPid, 'DynamoDBLocal'],
    ] as const
  ).filter(([pid, command]) => isAlive(pid, command));
  for (const [pid] of leftovers) process.kill(-(pid as number), 'SIGKILL');
  for (let wait = 0; wait < 50 && leftovers.some(([pid, c]) => isAlive(pid, c)); wait++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/**
 * The whole system locally: DynamoDB Local, every table, both services and the stream projector
 * behind one URL. On a folder that a crashed run left behind, derived data is not trusted: the
 * read models are dropped and rebuilt from the event store (which DynamoDB Local only ever
 * inserts into) before anything is served, and the projector resumes after the rebuilt events.
 */
export const startLocalStack = async (options: LocalStackOptions) => {
  const { ports, dbPath, checkpointFile } = options;
  const log = options.log ?? (() => {});
  const lockFile = dbPath && lockFileOf(dbPath);
  let lock: Lock = {};
  let recovering = false;
  if (dbPath && lockFile) {
    mkdirSync(dbPath, { recursive: true });
    const leftover = readLock(dbPath);
    if (leftover) {
      recovering = true;
      await stopLeftovers(leftover);
      log(`The last run on ${dbPath} did not stop cleanly: rebuilding the read models.`);
    }
  }
  const saveLock = (update: Lock) => {
    lock = { ...lock, ...update };
    if (lockFile) writeFileSync(lockFile, JSON.stringify(lock));
  };
  saveLock({});

  await requireFreePort(ports.http, 'HTTP');
  await requireFreePort(ports.lambda, 'Lambda invoke');
  const dynamodb: DynamoDbLocal = await startDynamoDbLocal(ports.dynamodb, dbPath);
  saveLock({ dynamodbPid: dynamodb.process.pid });
  const stopDynamoDb = () => stopProcessGroup(dynamodb.process, 'SIGTERM');
  try {
    const stage = stageConfig('local', { endpoint: dynamodb.endpoint });
    if (recovering || options.rebuild) {
      await deleteTables(dynamodb.endpoint, stageTableNames('local', READ_MODEL_TABLES));
    }
    await createTables(dynamodb.endpoint, ALL_TABLES, {
      names: stageTableNames('local', ALL_TABLES),
    });
    if (recovering || options.rebuild) {
      const report = await rebuildWithProgress(stage, { label: 'read models' });
      log(
        `Rebuilt ${report.users} users from ${report.events} events in ${report.seconds.toFixed(1)} s.`,
      );
      await checkpointAtStreamEnd(checkpointFile, dynamodb.endpoint, stage.eventsTable);
    } else if (dbPath) {
      await keepCheckpointsOf(checkpointFile, dynamodb.endpoint, stage.eventsTable);
    } else {
      forgetCheckpoints(checkpointFile);
    }
    const localAws = await startLocalAws(ports.localAws);
    const offline = await startOffline(ports, {
      ...options,
      env: {
        ...options.env,
        ...(options.auth && {
          LOCAL_AUTH_ISSUER: localAws.issuer,
          LOCAL_AUTH_AUDIENCE: LOCAL_AUDIENCE,
        }),
      },
    }).catch(async (error) => {
      await localAws.stop();
      throw error;
    });
    saveLock({ offlinePid: offline.process.pid });
    return {
      baseUrl: offline.baseUrl,
      endpoint: dynamodb.endpoint,
      issuer: localAws.issuer,
      dynamodb,
      offline,
      /** Stops the services first, so that nothing writes while DynamoDB Local shuts down. */
      stop: async () => {
        await offline.stop();
        await localAws.stop();
        await stopDynamoDb();
        if (lockFile) rmSync(lockFile, { force: true });
      },
    };
  } catch (error) {
    // The lock stays: whatever got half done here is redone by the next start.
    await stopDynamoDb();
    throw error;
  }
};

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;
