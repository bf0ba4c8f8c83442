import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { userHistoryItems, writeItems } from '../../bench/fixtures';
import { DynamoReadModelStore } from '../../services/query-service/src/infrastructure/dynamo-read-model-store';
import { testDocumentClient, testEndpoint } from '../../test/support/integration';
import {
  ALL_TABLES,
  createTables,
  deleteTables,
  stageConfig,
  stageTableNames,
} from '../local-stack/tables';
import { rebuildWithProgress } from '../rebuild-with-progress';
import { auditErasure } from './audit';

// A stage of its own: the audit scans every table of a stage, by name.
const STAGE = `audit${randomBytes(3).toString('hex')}`;
const NAME = 'Audit Canary';
const EMAIL = 'audit.canary@example.com';
let stage: ReturnType<typeof stageConfig>;
let names: Record<string, string>;

beforeAll(async () => {
  names = stageTableNames(STAGE, ALL_TABLES);
  await createTables(testEndpoint(), ALL_TABLES, { names, stage: STAGE });
  stage = stageConfig(STAGE, {
    endpoint: testEndpoint(),
    kmsEndpoint: process.env.TEST_KMS_ENDPOINT,
  });
}, 60_000);
afterAll(() => deleteTables(testEndpoint(), names));

/** A user with events sealed under their own key, and read models built by the real rebuild. */
const givenUser = async (userId: string) => {
  const key = await stage.keys.readOrCreate(userId);
  await writeItems(
    stage.client,
    stage.eventsTable,
    userHistoryItems(userId, 5, key, { name: NAME, email: EMAIL }),
  );
  await rebuildWithProgress(stage, { label: 'audit test' });
};

/** What an erasure does everywhere: the key shredded, the read models scrubbed. */
const erase = async (userId: string) => {
  await stage.client.send(new PutCommand(stage.keys.shreddingOf(userId).Put));
  const readModels = new DynamoReadModelStore(stage.client, stage.readModelTables);
  await readModels.markErased(userId);
  expect(await readModels.eraseHistory(userId, Date.now() + 10_000)).toBe(true);
};

const audit = (userId: string) =>
  auditErasure(testDocumentClient(), { stage: STAGE, userId, dataKeysTable: stage.dataKeysTable });

describe('npm run erasure-audit', () => {
  it('finds everything readable of a user not erased: key, sealed events, read models in the clear', async () => {
    const userId = `kept-${randomBytes(4).toString('hex')}`;
    await givenUser(userId);

    const result = await audit(userId);

    expect(result.keyShredded).toBe(false);
    expect(result.readable).toEqual(
      expect.arrayContaining([
        {
          table: stage.dataKeysTable,
          field: 'WrappedKey',
          why: 'the data key was not shredded',
          items: 1,
        },
        expect.objectContaining({
          table: stage.eventsTable,
          why: 'sealed under a key that still exists',
        }),
        expect.objectContaining({
          table: names.UserDetailTable,
          field: 'Name',
          why: 'in the clear',
        }),
        expect.objectContaining({ table: names.UserHistoryTable, why: 'in the clear' }),
      ]),
    );
    expect(result.tables.map((t) => t.table)).toEqual(Object.values(names).sort());
  }, 60_000);

  it('finds nothing once the erasure is done everywhere, and each canary a skipped step leaves', async () => {
    const userId = `erased-${randomBytes(4).toString('hex')}`;
    const bystander = `bystander-${randomBytes(4).toString('hex')}`;
    await givenUser(userId);
    await givenUser(bystander);
    await erase(userId);

    expect(await audit(userId)).toMatchObject({ keyShredded: true, readable: [] });

    // A history rewrite that skipped an entry, and a feed entry that kept an email.
    await stage.client.send(
      new PutCommand({
        TableName: names.UserHistoryTable,
        Item: { UserID: userId, Sequence: 99, Payload: { name: NAME }, Erased: false },
      }),
    );
    await stage.client.send(
      new PutCommand({
        TableName: names.RecentEventsTable,
        Item: { Feed: 'all', Position: `x#${userId}`, UserID: userId, Email: EMAIL },
      }),
    );
    expect((await audit(userId)).readable).toEqual([
      { table: names.RecentEventsTable, field: 'Email', why: 'in the clear', items: 1 },
      { table: names.UserHistoryTable, field: 'Payload.name', why: 'in the clear', items: 1 },
    ]);
  }, 60_000);
});
