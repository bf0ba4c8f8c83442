import { randomInt, randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  paginateScan,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  ErasureMark,
  ErasureMarks,
  ProjectionRegistry,
  ProjectionState,
  VersionRecord,
} from '../application/ports';
import {
  FIRST_PROJECTION_VERSION,
  isProjectionVersion,
  PROJECTION_VERSIONS,
  type ProjectionVersion,
} from '../projections';

/**
 * Copies of the live pointer, all written by one transaction at a switch: each query reads one
 * at random (a consistent read), so that no single item takes every query of the API (one
 * partition serves at most 3,000 consistent reads a second).
 */
export const LIVE_POINTER_COPIES = 10;

const LIVE = 'live';
const copyOf = (n: number) => `live#${n}`;
const recordOf = (version: ProjectionVersion) => `version#${version}`;
const MARK = 'erasure#';
const markOf = ({ version, userId }: ErasureMark) => `${MARK}${version}#${userId}`;

/** BatchWriteItem takes 25 requests; what DynamoDB leaves unprocessed is asked again. */
const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_ROUNDS = 5;

type Item = Record<string, unknown>;

/**
 * The first version until a switch; a version this code does not know (a rollback of the code
 * after a switch to a newer one) is refused rather than served from the wrong tables.
 */
const liveOf = (item: Item | undefined): ProjectionVersion => {
  if (item?.Live === undefined) return FIRST_PROJECTION_VERSION;
  if (isProjectionVersion(item.Live)) return item.Live;
  throw new Error(
    `projection version ${String(item.Live)} is live, and this release does not know it: switch back first`,
  );
};

const toRecord = (item: Item): VersionRecord => ({
  version: item.Version as ProjectionVersion,
  state: item.State as VersionRecord['state'],
  ...(item.Behind !== undefined && { behind: item.Behind as VersionRecord['behind'] }),
  ...(item.Switching === true && { switching: true }),
});

export type BuildLease = { buildId: string; owner: string };
export type VersionStatus = VersionRecord & {
  lease?: { owner: string; until: number };
  progress?: { users: number; events: number };
  built?: { users: number; events: number; at: string };
};

/** Refused because the state changed under the request: `reason` says what it found. */
export class RegistryConflict extends Error {}

const conditionFailed = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed'));

/**
 * The projection versions' registry (docs/projections.md): which version is live, which others
 * the projector keeps current, and the builds' leases. One small table of the query service.
 */
export class DynamoProjectionRegistry implements ProjectionRegistry, ErasureMarks {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  /** What a query reads: one copy of the live pointer, consistently (a switch is one step). */
  async liveVersion(): Promise<ProjectionVersion> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: { Id: copyOf(randomInt(LIVE_POINTER_COPIES)) },
        ConsistentRead: true,
      }),
    );
    return liveOf(Item);
  }

  /**
   * Every projector invocation reads this: the live pointer from one of its copies at random (a
   * switch writes them all in one transaction), so that no single item takes every read.
   */
  async state(): Promise<ProjectionState> {
    const copy = copyOf(randomInt(LIVE_POINTER_COPIES));
    const items = await this.all([copy]);
    const live = liveOf(items.get(copy));
    const followers = PROJECTION_VERSIONS.filter((v) => v !== live)
      .map((v) => items.get(recordOf(v)))
      .filter((item): item is Item => item !== undefined)
      .map(toRecord);
    return { live, followers };
  }

  /** Every version's record, with its lease and progress, for `projections status`. */
  async statuses(): Promise<{ live: ProjectionVersion; versions: VersionStatus[] }> {
    const items = await this.all();
    const live = liveOf(items.get(LIVE));
    const versions = PROJECTION_VERSIONS.map((v) => items.get(recordOf(v)))
      .filter((item): item is Item => item !== undefined)
      .map((item) => ({
        ...toRecord(item),
        ...(typeof item.LeaseUntil === 'number' && {
          lease: { owner: item.LeaseOwner as string, until: item.LeaseUntil },
        }),
        ...(item.Progress !== undefined && {
          progress: item.Progress as VersionStatus['progress'],
        }),
        ...(item.Built !== undefined && { built: item.Built as VersionStatus['built'] }),
      }));
    return { live, versions };
  }

  /**
   * False when the version went live meanwhile (a switch committed while the batch ran): a live
   * version is never marked behind; the batch must then be retried instead.
   */
  async markBehind(version: ProjectionVersion, reason: string): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.table,
                Key: { Id: LIVE },
                // The first version is live while no switch ever happened (no Live yet).
                ConditionExpression:
                  version === FIRST_PROJECTION_VERSION
                    ? 'attribute_exists(Live) AND Live <> :version'
                    : 'attribute_not_exists(Live) OR Live <> :version',
                ExpressionAttributeValues: { ':version': version },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: { Id: recordOf(version) },
                UpdateExpression: 'SET Behind = :behind REMOVE Switching',
                ConditionExpression: 'attribute_exists(Id)',
                ExpressionAttributeValues: { ':behind': { at: new Date().toISOString(), reason } },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [liveCheck, record] = error.CancellationReasons ?? [];
      if (liveCheck?.Code === 'ConditionalCheckFailed') return false;
      // Dropped meanwhile: nothing to mark.
      if (record?.Code === 'ConditionalCheckFailed') return true;
      throw error;
    }
  }

  async recordErasures(versions: ProjectionVersion[], userIds: string[]): Promise<void> {
    const marks = versions.flatMap((version) => userIds.map((userId) => ({ version, userId })));
    for (let start = 0; start < marks.length; start += BATCH_WRITE_LIMIT) {
      let requests: Record<string, unknown>[] = marks
        .slice(start, start + BATCH_WRITE_LIMIT)
        .map((mark) => ({
          PutRequest: {
            Item: { Id: markOf(mark), Version: mark.version, UserID: mark.userId },
          },
        }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt === UNPROCESSED_ROUNDS) throw new Error('erasure marks left unprocessed');
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.table]: requests } }),
        );
        requests = UnprocessedItems?.[this.table] ?? [];
      }
    }
  }

  /** Marks are rare (an erasure while a version is not live) and the table is small: one Scan. */
  async erasureMarks(): Promise<ErasureMark[]> {
    const marks: ErasureMark[] = [];
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.table,
        FilterExpression: 'begins_with(Id, :mark)',
        ExpressionAttributeValues: { ':mark': MARK },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (isProjectionVersion(item.Version)) {
          marks.push({ version: item.Version, userId: item.UserID as string });
        }
      }
    }
    return marks;
  }

  async clearErasureMark(mark: ErasureMark): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { Id: markOf(mark) } }));
  }

  /**
   * Takes the version's build lease (free, or expired: its holder died) and registers the version
   * as building, no longer behind: the projector writes it from its next invocation on.
   */
  async startBuild(
    version: ProjectionVersion,
    owner: string,
    leaseMs: number,
  ): Promise<BuildLease> {
    const buildId = randomUUID();
    const now = Date.now();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { Id: recordOf(version) },
          UpdateExpression:
            'SET Version = :version, #state = :building, BuildId = :build, LeaseOwner = :owner, LeaseUntil = :until, Progress = :none REMOVE Behind, Switching, Built',
          ConditionExpression: 'attribute_not_exists(LeaseUntil) OR LeaseUntil < :now',
          ExpressionAttributeNames: { '#state': 'State' },
          ExpressionAttributeValues: {
            ':version': version,
            ':building': 'building',
            ':build': buildId,
            ':owner': owner,
            ':until': now + leaseMs,
            ':now': now,
            ':none': { users: 0, events: 0 },
          },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const held = (await this.statuses()).versions.find((v) => v.version === version)?.lease;
      throw new RegistryConflict(
        `another build of version ${version} holds its lease (${held?.owner}) until ${new Date(held?.until ?? now).toISOString()}`,
      );
    }
    return { buildId, owner };
  }

  /** False once the lease is lost (it expired and another build took it): stop building. */
  async renewLease(
    version: ProjectionVersion,
    { buildId }: BuildLease,
    leaseMs: number,
    progress: { users: number; events: number },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { Id: recordOf(version) },
          UpdateExpression: 'SET LeaseUntil = :until, Progress = :progress',
          // Never after the build finished or gave up (a late renewal would hold the lease again).
          ConditionExpression: 'BuildId = :build AND attribute_exists(LeaseUntil)',
          ExpressionAttributeValues: {
            ':until': Date.now() + leaseMs,
            ':progress': progress,
            ':build': buildId,
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Ready, unless the projector marked it behind during the build or the lease was lost: then
   * it says why, and the version stays unfit to go live.
   */
  async finishBuild(
    version: ProjectionVersion,
    { buildId }: BuildLease,
    built: { users: number; events: number },
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { Id: recordOf(version) },
          UpdateExpression: 'SET #state = :ready, Built = :built REMOVE LeaseOwner, LeaseUntil',
          // Never a version dropped meanwhile (retained), nor one the projector fell behind on.
          ConditionExpression:
            'BuildId = :build AND #state = :building AND attribute_not_exists(Behind)',
          ExpressionAttributeNames: { '#state': 'State' },
          ExpressionAttributeValues: {
            ':ready': 'ready',
            ':building': 'building',
            ':build': buildId,
            ':built': { ...built, at: new Date().toISOString() },
          },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      const record = (await this.statuses()).versions.find((v) => v.version === version);
      throw new RegistryConflict(
        record?.behind
          ? `the projector fell behind on version ${version} during the build (${record.behind.reason}): build it again`
          : record?.state === 'retained'
            ? `version ${version} was dropped during the build`
            : `version ${version}'s build lease was lost to another build`,
      );
    }
  }

  /** Gives the lease up after a failed build, so that the next one need not wait for it. */
  async abandonBuild(version: ProjectionVersion, { buildId }: BuildLease): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { Id: recordOf(version) },
          UpdateExpression: 'REMOVE LeaseOwner, LeaseUntil',
          ConditionExpression: 'BuildId = :build',
          ExpressionAttributeValues: { ':build': buildId },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
  }

  /** The projector writes the target first, in full, from its next invocation on. */
  async prepareSwitch(version: ProjectionVersion): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { Id: recordOf(version) },
          UpdateExpression: 'SET Switching = :true',
          ConditionExpression: '#state = :ready AND attribute_not_exists(Behind)',
          ExpressionAttributeNames: { '#state': 'State' },
          ExpressionAttributeValues: { ':true': true, ':ready': 'ready' },
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      throw new RegistryConflict(`version ${version} is not ready (built, and not behind)`);
    }
  }

  async cancelSwitch(version: ProjectionVersion): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: { Id: recordOf(version) },
          UpdateExpression: 'REMOVE Switching',
          ConditionExpression: 'attribute_exists(Id)',
        }),
      )
      .catch((error: unknown) => {
        if (!conditionFailed(error)) throw error;
      });
  }

  /**
   * One transaction: the live pointer and all its copies move from `from` to `to`, only if `to`
   * is still the prepared, ready target that was never marked behind, and `from` is still live.
   * `from` stays registered as ready: the projector keeps it current, for a switch back.
   */
  async commitSwitch(from: ProjectionVersion, to: ProjectionVersion): Promise<void> {
    const at = new Date().toISOString();
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: { Id: LIVE },
                UpdateExpression: 'SET Live = :to, Previous = :from, SwitchedAt = :at',
                ConditionExpression:
                  from === FIRST_PROJECTION_VERSION
                    ? 'attribute_not_exists(Live) OR Live = :from'
                    : 'Live = :from',
                ExpressionAttributeValues: { ':to': to, ':from': from, ':at': at },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: { Id: recordOf(to) },
                UpdateExpression: 'REMOVE Switching',
                ConditionExpression:
                  'Switching = :true AND #state = :ready AND attribute_not_exists(Behind)',
                ExpressionAttributeNames: { '#state': 'State' },
                ExpressionAttributeValues: { ':true': true, ':ready': 'ready' },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: { Id: recordOf(from) },
                UpdateExpression: 'SET Version = :from, #state = :ready REMOVE Behind, Switching',
                ExpressionAttributeNames: { '#state': 'State' },
                ExpressionAttributeValues: { ':from': from, ':ready': 'ready' },
              },
            },
            ...Array.from({ length: LIVE_POINTER_COPIES }, (_, n) => ({
              Put: { TableName: this.table, Item: { Id: copyOf(n), Live: to, SwitchedAt: at } },
            })),
          ],
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      throw new RegistryConflict(
        `the switch from ${from} to ${to} was overtaken: ${to} fell behind, or the live version changed`,
      );
    }
  }

  /**
   * The projector stops writing the version from its next invocation on; never the live one. Its
   * tables are kept (deleted later, or never: a stage's version 1), so erasures still reach them.
   */
  async retire(version: ProjectionVersion): Promise<void> {
    await this.unlessLive(version, {
      Update: {
        TableName: this.table,
        Key: { Id: recordOf(version) },
        UpdateExpression:
          'SET Version = :version, #state = :retained REMOVE Switching, LeaseOwner, LeaseUntil',
        ExpressionAttributeNames: { '#state': 'State' },
        ExpressionAttributeValues: { ':version': version, ':retained': 'retained' },
      },
    });
  }

  /** Forgets a version whose tables were deleted: nothing is left to write, or to erase. */
  async forget(version: ProjectionVersion): Promise<void> {
    await this.unlessLive(version, {
      Delete: { TableName: this.table, Key: { Id: recordOf(version) } },
    });
  }

  private async unlessLive(version: ProjectionVersion, write: Record<string, unknown>) {
    const { live } = await this.state();
    if (live === version) throw new RegistryConflict(`version ${version} is live`);
    await this.client
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.table,
                Key: { Id: LIVE },
                ConditionExpression: 'attribute_not_exists(Live) OR Live <> :version',
                ExpressionAttributeValues: { ':version': version },
              },
            },
            write,
          ],
        }),
      )
      .catch((error: unknown) => {
        if (conditionFailed(error)) throw new RegistryConflict(`version ${version} is live`);
        throw error;
      });
  }

  /** The version records, and the live pointer's item (`pointer`, the original if not said). */
  private async all(pointer = [LIVE]): Promise<Map<string, Item>> {
    const items = new Map<string, Item>();
    let keys: Item[] = [...pointer, ...PROJECTION_VERSIONS.map(recordOf)].map((Id) => ({ Id }));
    // A handful of small items: DynamoDB leaves keys unprocessed only when throttled.
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt === 5) throw new Error('the projection registry stayed throttled');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { Responses, UnprocessedKeys } = await this.client.send(
        new BatchGetCommand({
          RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } },
        }),
      );
      for (const item of Responses?.[this.table] ?? []) items.set(item.Id as string, item);
      keys = UnprocessedKeys?.[this.table]?.Keys ?? [];
    }
    return items;
  }
}
