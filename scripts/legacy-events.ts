import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { eventPosition, sealPersonalFields, UserErasedError } from '@users/shared';
import type { StageConfig } from './local-stack/tables';

export type MigrationReport = {
  scanned: number;
  rewritten: number;
  users: number;
  /** Users erased before their events were sealed: sealed under a key thrown away at once. */
  shreddedUsers: number;
};

type Item = Record<string, unknown>;

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
 * A user erased before the run (their key row is a tombstone) gets a key thrown away at once;
 * one erased during the run has the key it was sealed with shredded by the erasure itself.
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
      key = stage.keys.readOrCreate(userId).catch((error) => {
        if (!(error instanceof UserErasedError)) throw error;
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
  return report;
};
