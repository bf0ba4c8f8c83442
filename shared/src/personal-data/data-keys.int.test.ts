import { randomUUID } from 'node:crypto';
import { LOCAL_KMS_KEY_ID } from '../../../scripts/local-stack/local-kms';
import {
  createTestTables,
  deleteTestTables,
  testDocumentClient,
  testKmsClient,
} from '../../../test/support/integration';
import { countRequests } from '../../../test/support/request-counts';
import { DATA_KEY_CACHE_SECONDS, KmsDataKeys } from './data-keys';

let table: string;
beforeAll(async () => {
  table = (await createTestTables(['DataKeysTable'])).DataKeysTable;
});
afterAll(() => deleteTestTables({ DataKeysTable: table }));

const keysWith = (options: { now?: () => number; maxCachedKeys?: number } = {}) => {
  const dynamodb = testDocumentClient();
  const kms = testKmsClient();
  const sent = { dynamodb: countRequests(dynamodb), kms: countRequests(kms) };
  const keys = new KmsDataKeys(
    dynamodb,
    kms,
    { table, kmsKeyId: LOCAL_KMS_KEY_ID },
    options.now,
    options.maxCachedKeys,
  );
  return { keys, sent };
};

const newUsers = async (count: number) => {
  const userIds = Array.from({ length: count }, () => `keys-${randomUUID()}`);
  const { keys } = keysWith();
  await Promise.all(userIds.map((userId) => keys.readOrCreate(userId)));
  return userIds;
};

describe('the data-key cache of a warm function', () => {
  it('asks the key table and KMS once for a burst of lookups of one user', async () => {
    const [userId] = (await newUsers(1)) as [string];
    const { keys, sent } = keysWith();
    const found = await Promise.all(Array.from({ length: 1000 }, () => keys.read(userId)));
    expect(new Set(found.map((key) => key?.toString('hex'))).size).toBe(1);
    expect(sent).toEqual({ dynamodb: { GetItemCommand: 1 }, kms: { DecryptCommand: 1 } });
  });

  it('keeps a key 30 seconds and not one moment longer', async () => {
    const [userId] = (await newUsers(1)) as [string];
    let now = 0;
    const { keys, sent } = keysWith({ now: () => now });
    await keys.read(userId);
    now = DATA_KEY_CACHE_SECONDS * 1000 - 1;
    await keys.read(userId);
    expect(sent.kms).toEqual({ DecryptCommand: 1 });
    now = DATA_KEY_CACHE_SECONDS * 1000;
    await keys.read(userId);
    expect(sent.kms).toEqual({ DecryptCommand: 2 });
  });

  it('drops expired keys and holds no more than its bound', async () => {
    const userIds = await newUsers(8);
    let now = 0;
    const { keys } = keysWith({ now: () => now, maxCachedKeys: 5 });
    for (const userId of userIds) await keys.read(userId);
    expect(keys.cachedKeys).toBe(5);
    now = DATA_KEY_CACHE_SECONDS * 1000;
    expect(keys.cachedKeys).toBe(0);
  });

  it('keeps nothing of a lookup in flight when its user is forgotten (erased) meanwhile', async () => {
    const [userId] = (await newUsers(1)) as [string];
    const { keys, sent } = keysWith();
    const lookup = keys.read(userId);
    keys.forget(userId);
    await lookup;
    expect(keys.cachedKeys).toBe(0);
    await keys.read(userId);
    expect(sent.kms).toEqual({ DecryptCommand: 2 });
  });
});
