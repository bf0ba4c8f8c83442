import { hostname } from 'node:os';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { buildProjection } from '../../services/query-service/src/application/build-projection';
import { recordingRestorer } from '../../services/query-service/src/application/erasure-receipts';
import { rebuildReadModels } from '../../services/query-service/src/application/rebuild-read-models';
import {
  restoreInWriteOrder,
  writeOrder,
} from '../../services/query-service/src/application/restore-in-write-order';
import {
  compareVersions,
  switchProjection,
} from '../../services/query-service/src/application/switch-projection';
import { DynamoErasureReceipts } from '../../services/query-service/src/infrastructure/dynamo-erasure-receipts';
import { DynamoProjectionRegistry } from '../../services/query-service/src/infrastructure/dynamo-projection-registry';
import { DynamoReadModelStore } from '../../services/query-service/src/infrastructure/dynamo-read-model-store';
import { DynamoUserEvents } from '../../services/query-service/src/infrastructure/dynamo-user-events';
import {
  type ProjectionVersion,
  versionedTableName,
} from '../../services/query-service/src/projections';
import { createTables, type StageConfig } from '../local-stack/tables';
import { rebuildWithProgress } from '../rebuild-with-progress';

export type ProjectionOptions = {
  /** Longer than a projector invocation may run: its timeout (10 s) and a margin. */
  drainMs: number;
  leaseMs: number;
  /** DynamoDB Local's: a version's tables are then made by `build` and deleted by `drop`. */
  localEndpoint?: string;
  log: (message: string) => void;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const tablesOf = (stage: StageConfig, version: ProjectionVersion) => ({
  ...stage.readModelTables,
  detail: versionedTableName(stage.readModelTables.detail, version),
  history: versionedTableName(stage.readModelTables.history, version),
  // The console's feed is one table, kept by the live version's projector only.
  recentEvents: undefined,
  projectionVersion: version,
});

/** One projection version's read models in a stage. */
export const stageReadModelsOf = (stage: StageConfig, version: ProjectionVersion) =>
  new DynamoReadModelStore(stage.client, tablesOf(stage, version));

/**
 * What a build, a rebuild or a redrive writes into one version: its read models, an erased
 * user's steps recorded on their erasure receipt (a version built after the erasure has them
 * from its build).
 */
const stageRestorerOf = (stage: StageConfig) => {
  const receipts = new DynamoErasureReceipts(stage.client, stage.erasureReceiptsTable);
  return (version: ProjectionVersion) =>
    recordingRestorer(stageReadModelsOf(stage, version), receipts, version);
};

/**
 * What a rebuild or a redrive writes: each user into every version whose tables are kept, in
 * write order (a switch's target first; behind and dropped versions too, so that erasures reach
 * them), the registry read again as it goes.
 */
export const repairingRestorer = (stage: StageConfig) => {
  const registry = new DynamoProjectionRegistry(stage.client, stage.projectionsTable);
  return restoreInWriteOrder(() => registry.state(), stageRestorerOf(stage));
};

/** The versions a repair writes now, in write order, for what it tells the operator. */
export const repairedVersions = async (stage: StageConfig) =>
  writeOrder(await new DynamoProjectionRegistry(stage.client, stage.projectionsTable).state()).map(
    ({ version, full }) => (full ? `${version}` : `${version} (erasures only)`),
  );

/** What `npm run projections` does to a stage (docs/projections.md). */
export const stageProjections = (stage: StageConfig, options: ProjectionOptions) => {
  const registry = new DynamoProjectionRegistry(stage.client, stage.projectionsTable);
  const readModelsOf = (version: ProjectionVersion) => stageReadModelsOf(stage, version);
  const restorerOf = stageRestorerOf(stage);

  const tablesExist = async (version: ProjectionVersion) => {
    const { detail, history } = tablesOf(stage, version);
    try {
      for (const TableName of [detail, history]) {
        await stage.client.send(new DescribeTableCommand({ TableName }));
      }
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  };

  const status = async () => {
    const { live, versions } = await registry.statuses();
    const rows = [];
    for (const record of versions.some((v) => v.version === live)
      ? versions
      : [{ version: live, state: 'ready' as const }, ...versions]) {
      const { version } = record;
      const comparison =
        version === live
          ? undefined
          : await compareVersions(readModelsOf(live), readModelsOf(version));
      rows.push({ ...record, live: version === live, comparison });
    }
    return { live, rows };
  };

  const build = async (version: ProjectionVersion) => {
    const { live } = await registry.state();
    if (version === live) {
      throw new Error(`version ${version} is live: rebuild it in place with npm run rebuild`);
    }
    if (!(await tablesExist(version))) {
      if (!options.localEndpoint) {
        throw new Error(
          `version ${version}'s tables do not exist: deploy the query service with --param "projectionVersions=<…>,${version}" first`,
        );
      }
      const { detail, history } = tablesOf(stage, version);
      await createTables(options.localEndpoint, ['UserDetailTable', 'UserHistoryTable'], {
        names: { UserDetailTable: detail, UserHistoryTable: history },
      });
    }
    return buildProjection(
      {
        registry,
        owner: `${hostname()}:${process.pid}`,
        leaseMs: options.leaseMs,
        drainMs: options.drainMs,
        sleep,
        log: options.log,
        replay: (onProgress) =>
          rebuildWithProgress(stage, {
            label: `version ${version}`,
            into: restorerOf(version),
            onProgress,
          }),
        catchUp: () => catchUp(version),
      },
      version,
    );
  };
  /**
   * Every user the live version is ahead on in `version` (the projector leaves a building
   * version's gaps to its build), restored from the event store; how many were behind.
   */
  const catchUp = async (version: ProjectionVersion) => {
    const { live } = await registry.state();
    const behind: string[] = [];
    await compareVersions(readModelsOf(live), readModelsOf(version), (userId) => {
      behind.push(userId);
    });
    const events = new DynamoUserEvents(stage.client, stage.eventsTable);
    const report = await rebuildReadModels(
      {
        scanUsers: async (onUser) => {
          for (const userId of behind) await onUser(await events.history(userId));
        },
      },
      restorerOf(version),
      stage.keys,
    );
    if (report.failedUsers.length > 0) {
      throw new Error(
        `${report.failedUsers.length} user(s) could not be caught up:\n  ${report.failedUsers.join('\n  ')}`,
      );
    }
    return behind.length;
  };

  const switchTo = (version: ProjectionVersion) =>
    switchProjection(
      {
        registry,
        compare: (live, target) => compareVersions(readModelsOf(live), readModelsOf(target)),
        drainMs: options.drainMs,
        sleep,
        log: options.log,
      },
      version,
    );

  /**
   * The projector stops writing the version; its tables are kept (and still erased) unless they
   * are deleted here: locally, or with `deleteTables` (a stage's version 1 never: its tables
   * belong to the query stack).
   */
  const drop = async (version: ProjectionVersion, { deleteTables }: { deleteTables: boolean }) => {
    if (version === 1 && deleteTables && !options.localEndpoint) {
      throw new Error("version 1's tables belong to the query stack: they are never deleted here");
    }
    await registry.retire(version);
    if (!(options.localEndpoint || deleteTables)) return { tablesDeleted: false };
    options.log(
      `waiting ${Math.ceil(options.drainMs / 1000)} s for projector invocations under way`,
    );
    await sleep(options.drainMs);
    const { detail, history } = tablesOf(stage, version);
    for (const TableName of [detail, history]) {
      await stage.client.send(new DeleteTableCommand({ TableName })).catch((error: unknown) => {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      });
    }
    await registry.forget(version);
    return { tablesDeleted: true };
  };
  return { registry, readModelsOf, status, build, switchTo, drop };
};
