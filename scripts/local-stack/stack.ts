import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rebuildWithProgress } from '../rebuild-with-progress';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { folderLock } from './folder-lock';
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
  /** Aborted while starting (a Ctrl-C during a long rebuild): whatever was started is killed. */
  signal?: AbortSignal;
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
  const lock = dbPath ? folderLock(dbPath) : undefined;
  const started: ChildProcess[] = [];
  const killStarted = () => {
    for (const child of started) void stopProcessGroup(child, 'SIGKILL');
  };
  options.signal?.addEventListener('abort', killStarted, { once: true });
  const spawned = (name: 'dynamodb' | 'offline') => (child: ChildProcess) => {
    started.push(child);
    lock?.record(name, child.pid);
    if (options.signal?.aborted) killStarted();
  };

  let recovering = false;
  if (dbPath && lock) {
    mkdirSync(dbPath, { recursive: true });
    recovering = (await lock.acquire()).crashed;
    if (recovering) {
      log(`The last run on ${dbPath} did not stop cleanly: rebuilding the read models.`);
    }
  }
  await requireFreePort(ports.http, 'HTTP');
  await requireFreePort(ports.lambda, 'Lambda invoke');
  const dynamodb: DynamoDbLocal = await startDynamoDbLocal(
    ports.dynamodb,
    dbPath,
    spawned('dynamodb'),
  );
  const stopDynamoDb = () => stopProcessGroup(dynamodb.process, 'SIGTERM');
  const localAws = await startLocalAws(ports.localAws, {
    lambdaPort: ports.lambda,
    // A 30-day erasure schedule outlives a restart of a stack that keeps its data.
    schedulerFile: dbPath && join(dbPath, 'local-scheduler.json'),
  }).catch(async (error) => {
    await stopDynamoDb();
    throw error;
  });
  try {
    const stage = stageConfig('local', {
      endpoint: dynamodb.endpoint,
      kmsEndpoint: localAws.endpoint,
    });
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
      if (report.failedUsers.length > 0) {
        throw new Error(`Could not rebuild:\n  ${report.failedUsers.join('\n  ')}`);
      }
      await checkpointAtStreamEnd(checkpointFile, dynamodb.endpoint, stage.eventsTable);
    } else if (dbPath) {
      await keepCheckpointsOf(checkpointFile, dynamodb.endpoint, stage.eventsTable);
    } else {
      forgetCheckpoints(checkpointFile);
    }
    options.signal?.throwIfAborted();
    const offline = await startOffline(ports, {
      ...options,
      onSpawn: spawned('offline'),
      env: {
        ...options.env,
        ...(options.auth && {
          LOCAL_AUTH_ISSUER: localAws.issuer,
          LOCAL_AUTH_AUDIENCE: LOCAL_AUDIENCE,
        }),
      },
    });
    return {
      baseUrl: offline.baseUrl,
      endpoint: dynamodb.endpoint,
      issuer: localAws.issuer,
      bus: localAws.bus,
      scheduler: localAws.scheduler,
      dynamodb,
      offline,
      /**
       * Stops the services first, so that nothing writes while DynamoDB Local shuts down. Only a
       * clean stop of everything releases the folder: otherwise the next start rebuilds.
       */
      stop: async ({ clean = true }: { clean?: boolean } = {}) => {
        const offlineStopped = await offline.stop();
        await localAws.stop();
        const dynamodbStopped = await stopDynamoDb();
        if (clean && offlineStopped && dynamodbStopped) lock?.release();
      },
    };
  } catch (error) {
    // The lock stays: whatever got half done here is redone by the next start.
    killStarted();
    await localAws.stop();
    await stopDynamoDb();
    throw error;
  }
};

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;
