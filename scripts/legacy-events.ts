import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, paginateScan, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { eventPosition, sealPersonalFields } from '@users/shared';
import type { StageConfig } from './local-stack/tables';

export type MigrationReport = {
  scanned: number;
  rewritten: number;
  users: number;
  /** Users erased before their events were sealed: sealed under a key thrown away at once. */
  shreddedUsers: number;
};

type Item = Record<string, unknown>;

const isErased = async ({ client, eventsTable }: StageConfig, userId: string) => {
  const { Items } = await client.send(
    new QueryCommand({
      TableName: eventsTable,
      KeyConditionExpression: 'AggregateID = :id',
      ExpressionAttributeValues: { ':id': userId },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return Items?.[0]?.EventType === 'USER_ERASED';
};

/** A schema-1 item in the schema-2 layout: the same event, its personal fields sealed. */
const sealed = (item: Item, key: Buffer): Item => {
  const place = eventPosition(item);
  return {
    ...item,
    Payload: JSON.stringify(
      sealPersonalFields(JSON.parse(item.Payload as string), key, { ...place, prefix: 'payload' }),
    ),
    State: sealPersonalFields((item.State ?? {}) as Item, key, { ...place, prefix: 'state' }),
    SchemaVersion: 2,
  };
};

/**
 * `npm run encrypt-legacy`: rewrites, in place, every event item of schema 1 (personal data in
 * the clear, from the release before 2026-11-29) in the schema-2 layout, sealed under its
 * user's data key, so that erasing an old user is as complete as erasing a new one. The only
 * code that ever rewrites an event item: each rewrite is conditional on the item still being of
 * schema 1, so the run is idempotent and resumable, and the projector ignores the MODIFY records.
 * A user erased before the run gets a key that is thrown away at once.
 */
export const encryptLegacyEvents = async (
  stage: StageConfig,
  onProgress: (report: MigrationReport) => void = () => {},
): Promise<MigrationReport> => {
  const report: MigrationReport = { scanned: 0, rewritten: 0, users: 0, shreddedUsers: 0 };
  const keys = new Map<string, Promise<Buffer>>();
  const keyOf = (userId: string) => {
    let key = keys.get(userId);
    if (!key) {
      report.users++;
      key = isErased(stage, userId).then((erased) => {
        if (!erased) return stage.keys.readOrCreate(userId);
        report.shreddedUsers++;
        return randomBytes(32);
      });
      keys.set(userId, key);
    }
    return key;
  };

  for await (const page of paginateScan(
    { client: stage.client },
    {
      TableName: stage.eventsTable,
      FilterExpression: 'SchemaVersion = :legacy',
      ExpressionAttributeValues: { ':legacy': 1 },
      ConsistentRead: true,
    },
  )) {
    report.scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      try {
        await stage.client.send(
          new PutCommand({
            TableName: stage.eventsTable,
            Item: sealed(item, await keyOf(eventPosition(item).userId)),
            ConditionExpression: 'SchemaVersion = :legacy',
            ExpressionAttributeValues: { ':legacy': 1 },
          }),
        );
        report.rewritten++;
      } catch (error) {
        // Rewritten meanwhile by another run of this command: nothing left to do.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    onProgress(report);
  }
  // Erased while this run made their key: the erasure found no key to delete, so delete it now.
  for (const userId of keys.keys()) {
    if (await isErased(stage, userId)) {
      await stage.client.send(
        new DeleteCommand({ TableName: stage.dataKeysTable, Key: { UserID: userId } }),
      );
    }
  }
  return report;
};
