import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
import { auditErasure, recordAudit } from './audit';
import { runErasureAudit } from './run-cli';

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
const givenUser = async (userId: string, name = NAME) => {
  const key = await stage.keys.readOrCreate(userId);
  await writeItems(
    stage.client,
    stage.eventsTable,
    userHistoryItems(userId, 5, key, { name, email: EMAIL }),
  );
  await rebuildWithProgress(stage, { label: 'audit test' });
};

/** What an erasure does everywhere: the event stored, the key shredded, the read models scrubbed. */
const erase = async (userId: string) => {
  await stage.client.send(
    new PutCommand({
      TableName: stage.eventsTable,
      Item: {
        AggregateID: userId,
        Sequence: 6,
        EventType: 'USER_ERASED',
        SchemaVersion: 2,
        Payload: '{}',
      },
    }),
  );
  await stage.client.send(new PutCommand(stage.keys.shreddingOf(userId).Put));
  const readModels = new DynamoReadModelStore(stage.client, stage.readModelTables);
  await readModels.markErased(userId);
  expect(await readModels.eraseHistory(userId, Date.now() + 10_000)).toBe(true);
};

const audit = (userId: string) => auditErasure(testDocumentClient(), { stage: STAGE, userId });

describe('npm run erasure-audit', () => {
  it('finds everything readable of a user not erased: key, sealed events, read models in the clear', async () => {
    const userId = `kept-${randomBytes(4).toString('hex')}`;
    await givenUser(userId);

    const result = await audit(userId);

    expect(result).toMatchObject({ keyShredded: false, erasureStored: false, verdict: 'readable' });
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

    expect(await audit(userId)).toMatchObject({
      keyShredded: true,
      erasureStored: true,
      unfinished: [],
      readable: [],
      verdict: 'nothing readable',
    });

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
    expect(await audit(userId)).toMatchObject({ verdict: 'readable' });
    expect((await audit(userId)).readable).toEqual([
      { table: names.RecentEventsTable, field: 'Email', why: 'in the clear', items: 1 },
      { table: names.UserHistoryTable, field: 'Payload.name', why: 'in the clear', items: 1 },
    ]);
  }, 60_000);

  it('never calls a user not erased, an unknown id or an unfinished erasure done, nor a lookalike sealed', async () => {
    expect(await audit(`nobody-${randomBytes(4).toString('hex')}`)).toMatchObject({
      readable: [],
      verdict: 'not erased',
    });

    const userId = `unfinished-${randomBytes(4).toString('hex')}`;
    await givenUser(userId);
    await erase(userId);
    await stage.client.send(
      new UpdateCommand({
        TableName: names.UserDetailTable,
        Key: { UserID: userId },
        UpdateExpression: 'SET HistoryErasure = :pending',
        ExpressionAttributeValues: { ':pending': 'pending' },
      }),
    );
    expect(await audit(userId)).toMatchObject({
      readable: [],
      unfinished: [{ table: names.UserDetailTable, what: 'the history rewrite is under way' }],
      verdict: 'erasure unfinished',
    });

    // A read model's value that only looks sealed is in the clear, key shredded or not.
    await stage.client.send(
      new UpdateCommand({
        TableName: names.UserDetailTable,
        Key: { UserID: userId },
        UpdateExpression: 'SET Email = :lookalike REMOVE HistoryErasure',
        ExpressionAttributeValues: { ':lookalike': 'enc1.audit@example.com' },
      }),
    );
    expect((await audit(userId)).readable).toEqual([
      { table: names.UserDetailTable, field: 'Email', why: 'in the clear', items: 1 },
    ]);
  }, 60_000);

  it("does not take another user's item for the audited one's when their name is its id", async () => {
    const userId = `erased-${randomBytes(4).toString('hex')}`;
    await givenUser(userId);
    await erase(userId);
    await givenUser(`namesake-${randomBytes(4).toString('hex')}`, userId);
    expect(await audit(userId)).toMatchObject({ readable: [], verdict: 'nothing readable' });
  }, 60_000);

  it('exits 0 only for nothing readable: 1 for readable, 3 for a user not erased', async () => {
    const [kept, erased] = [
      `kept-${randomBytes(4).toString('hex')}`,
      `erased-${randomBytes(4).toString('hex')}`,
    ];
    await givenUser(kept);
    await givenUser(erased);
    await erase(erased);
    const exitCodeFor = (userId: string) =>
      runErasureAudit(['--user', userId, '--stage', STAGE, '--endpoint', testEndpoint()]).status;
    expect([exitCodeFor(erased), exitCodeFor(kept), exitCodeFor('nobody-at-all')]).toEqual([
      0, 1, 3,
    ]);
  }, 60_000);

  it("notes its outcome on the erasure's receipt, where there is one (--record)", async () => {
    const [withReceipt, without] = [
      `receipt-${randomBytes(4).toString('hex')}`,
      `no-receipt-${randomBytes(4).toString('hex')}`,
    ];
    for (const userId of [withReceipt, without]) {
      await givenUser(userId);
      await erase(userId);
    }
    await stage.client.send(
      new PutCommand({
        TableName: names.ErasureReceiptsTable,
        Item: { UserID: withReceipt, Version: 6, DetailHiddenAt: {}, HistoryRewrittenAt: {} },
      }),
    );
    const done = await audit(withReceipt);
    expect(await recordAudit(testDocumentClient(), done)).toBe(true);
    expect(await recordAudit(testDocumentClient(), await audit(without))).toBe(false);
    const { Item } = await stage.client.send(
      new GetCommand({
        TableName: names.ErasureReceiptsTable,
        Key: { UserID: withReceipt },
        ConsistentRead: true,
      }),
    );
    expect(Item).toMatchObject({ AuditedAt: done.auditedAt, AuditOutcome: 'nothing readable' });
    // A verdict the receipt has no word of its own for reads as "not erased or under way".
    const kept = `receipt-unknown-${randomBytes(4).toString('hex')}`;
    await stage.client.send(
      new PutCommand({ TableName: names.ErasureReceiptsTable, Item: { UserID: kept } }),
    );
    expect(await recordAudit(testDocumentClient(), await audit(kept))).toBe(true);
    const { Item: keptReceipt } = await stage.client.send(
      new GetCommand({
        TableName: names.ErasureReceiptsTable,
        Key: { UserID: kept },
        ConsistentRead: true,
      }),
    );
    expect(keptReceipt?.AuditOutcome).toBe('not erased or under way');
    // The CLI's own flag, through its exit code: still nothing readable, the receipt updated.
    const run = runErasureAudit([
      '--user',
      withReceipt,
      '--stage',
      STAGE,
      '--endpoint',
      testEndpoint(),
      '--record',
    ]);
    expect(run.status).toBe(0);
  }, 60_000);
});
