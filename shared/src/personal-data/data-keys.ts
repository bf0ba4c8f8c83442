import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { KeyCache } from './key-cache';

/** The user was erased: their key is gone for good, and no new one is ever made for them. */
export class UserErasedError extends Error {
  constructor(userId: string) {
    super(`${userId} was erased: no data key`);
  }
}

/** Personal data sealed under a key that does not exist, and was never erased: a broken store. */
export class MissingDataKeyError extends Error {
  constructor(userId: string) {
    super(`No data key for ${userId}, who was never erased`);
  }
}

/** Each user's data key, which seals that user's personal fields; erasing the user shreds it. */
export interface DataKeys {
  /**
   * The user's key, or undefined once the user was erased. Throws MissingDataKeyError for a user
   * who has neither key nor erasure: reading their sealed data as "erased" would lose it.
   */
  read(userId: string): Promise<Buffer | undefined>;
  /** The user's key, made now if the user has none yet; UserErasedError once erased. */
  readOrCreate(userId: string): Promise<Buffer>;
  /** Drops this process's copy of the key: the user is being erased. */
  forget(userId: string): void;
}

/**
 * How long a warm function keeps a data key in memory: bounded, so that a key shredded by an
 * erasure is gone from every other warm function within seconds as well.
 */
export const DATA_KEY_CACHE_SECONDS = 30;

/** About 2 MB of keys: far more users than a warm function sees in 30 seconds. */
export const DATA_KEY_CACHE_ENTRIES = 10_000;

export type DataKeyTable = { table: string; kmsKeyId: string };

type Lookup = { key: Buffer } | { erased: true } | { missing: true };

/** The write that stores a new key, for the transaction of the user's first event. */
export type DataKeyStorage = {
  Put: {
    TableName: string;
    Item: Record<string, unknown>;
    ConditionExpression: string;
  };
};

/** A key made by KMS and not stored yet: stored with the first event it seals, or never. */
export type NewDataKey = { key: Buffer; storage: DataKeyStorage };

/**
 * Data keys kept wrapped in a DynamoDB table (envelope encryption): KMS makes each key and
 * unwraps it again, bound to its user by the encryption context. The table has no stream, and
 * never sees a key in the clear. An erasure replaces the user's row with a tombstone (`Erased`),
 * so that no later request can make the user a new key.
 */
export class KmsDataKeys implements DataKeys {
  private readonly cache: KeyCache<Lookup>;

  constructor(
    private readonly dynamodb: DynamoDBDocumentClient,
    private readonly kms: KMSClient,
    readonly where: DataKeyTable,
    now: () => number = Date.now,
    maxCachedKeys = DATA_KEY_CACHE_ENTRIES,
    /** Told of every request to the key table or KMS: GetItem, PutItem, Decrypt, GenerateDataKey. */
    private readonly onRequest: (operation: string) => void = () => {},
  ) {
    this.cache = new KeyCache(DATA_KEY_CACHE_SECONDS * 1000, maxCachedKeys, now);
  }

  /** How many users' keys this process holds now. */
  get cachedKeys() {
    return this.cache.size;
  }

  async read(userId: string): Promise<Buffer | undefined> {
    const found = await this.lookup(userId);
    if ('missing' in found) throw new MissingDataKeyError(userId);
    return 'key' in found ? found.key : undefined;
  }

  /** The user's key, or undefined when there is none yet; UserErasedError once erased. */
  async existing(userId: string): Promise<Buffer | undefined> {
    const found = await this.lookup(userId);
    if ('erased' in found) throw new UserErasedError(userId);
    return 'key' in found ? found.key : undefined;
  }

  async readOrCreate(userId: string): Promise<Buffer> {
    const found = await this.lookup(userId);
    if ('key' in found) return found.key;
    if ('erased' in found) throw new UserErasedError(userId);
    return (await this.make(userId)) ?? this.readOrCreate(userId);
  }

  /**
   * A new key for a user seen for the first time, made without reading first (such a user almost
   * never has one): it is stored by the transaction of the event it seals, so that a command
   * refused or failed stores no key. Its condition fails if the user has a key (or a tombstone)
   * already.
   */
  async generate(userId: string): Promise<NewDataKey> {
    const { key, wrapped } = await this.newKey(userId);
    return {
      key,
      storage: {
        Put: {
          TableName: this.where.table,
          Item: { UserID: userId, WrappedKey: wrapped },
          ConditionExpression: 'attribute_not_exists(UserID)',
        },
      },
    };
  }

  /** Keeps a key that `generate` made, once its transaction stored it. */
  remember(userId: string, key: Buffer) {
    this.cache.set(userId, { key });
  }

  private async newKey(userId: string) {
    this.onRequest('GenerateDataKey');
    const { Plaintext, CiphertextBlob } = await this.kms.send(
      new GenerateDataKeyCommand({
        KeyId: this.where.kmsKeyId,
        KeySpec: 'AES_256',
        EncryptionContext: { userId },
      }),
    );
    return {
      key: Buffer.from(Plaintext as Uint8Array),
      wrapped: Buffer.from(CiphertextBlob as Uint8Array).toString('base64'),
    };
  }

  /**
   * A key for a user who has events but no key (stored before personal data was sealed), or
   * undefined when another request made one first (or erased the user).
   */
  private async make(userId: string): Promise<Buffer | undefined> {
    const { key, wrapped } = await this.newKey(userId);
    try {
      this.onRequest('PutItem');
      await this.dynamodb.send(
        new PutCommand({
          TableName: this.where.table,
          Item: { UserID: userId, WrappedKey: wrapped },
          ConditionExpression: 'attribute_not_exists(UserID)',
        }),
      );
    } catch (error) {
      // Another request made this user's key first (or erased the user): go by that.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
    this.cache.set(userId, { key });
    return key;
  }

  forget(userId: string) {
    this.cache.forget(userId);
  }

  /** Shredding the key, as one item of the erasure's transaction: a tombstone replaces it. */
  shreddingOf(userId: string) {
    return { Put: { TableName: this.where.table, Item: { UserID: userId, Erased: true } } };
  }

  /** Keys and tombstones (final) are kept; a user without a key may get one any moment. */
  private lookup(userId: string): Promise<Lookup> {
    return this.cache.get(
      userId,
      () => this.fetch(userId),
      (found) => !('missing' in found),
    );
  }

  private async fetch(userId: string): Promise<Lookup> {
    this.onRequest('GetItem');
    const { Item } = await this.dynamodb.send(
      new GetCommand({
        TableName: this.where.table,
        Key: { UserID: userId },
        ConsistentRead: true,
      }),
    );
    if (!Item) return { missing: true };
    if (Item.Erased) return { erased: true };
    this.onRequest('Decrypt');
    const { Plaintext } = await this.kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(Item.WrappedKey as string, 'base64'),
        EncryptionContext: { userId },
        KeyId: this.where.kmsKeyId,
      }),
    );
    return { key: Buffer.from(Plaintext as Uint8Array) };
  }
}
