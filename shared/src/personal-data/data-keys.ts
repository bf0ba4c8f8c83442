import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/** Each user's data key, which seals that user's personal fields; erasing the user deletes it. */
export interface DataKeys {
  /** The user's key, or undefined: erased (or a user of the release before keys). */
  read(userId: string): Promise<Buffer | undefined>;
  /** The user's key, made now if the user has none yet. */
  readOrCreate(userId: string): Promise<Buffer>;
  /** Drops this process's copy of the key: the user is being erased. */
  forget(userId: string): void;
}

/**
 * How long a warm function keeps a data key in memory: bounded, so that a key deleted by an
 * erasure is gone from every other warm function within seconds as well.
 */
export const DATA_KEY_CACHE_SECONDS = 30;

export type DataKeyTable = { table: string; kmsKeyId: string };

/**
 * Data keys kept wrapped in a DynamoDB table (envelope encryption): KMS makes each key and
 * unwraps it again, bound to its user by the encryption context. The table has no stream, and
 * never sees a key in the clear.
 */
export class KmsDataKeys implements DataKeys {
  private readonly cache = new Map<string, { key: Buffer; until: number }>();

  constructor(
    private readonly dynamodb: DynamoDBDocumentClient,
    private readonly kms: KMSClient,
    readonly where: DataKeyTable,
    private readonly now: () => number = Date.now,
  ) {}

  async read(userId: string): Promise<Buffer | undefined> {
    const cached = this.cache.get(userId);
    if (cached && cached.until > this.now()) return cached.key;
    const { Item } = await this.dynamodb.send(
      new GetCommand({
        TableName: this.where.table,
        Key: { UserID: userId },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { Plaintext } = await this.kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(Item.WrappedKey as string, 'base64'),
        EncryptionContext: { userId },
        KeyId: this.where.kmsKeyId,
      }),
    );
    return this.remember(userId, Buffer.from(Plaintext as Uint8Array));
  }

  async readOrCreate(userId: string): Promise<Buffer> {
    const existing = await this.read(userId);
    if (existing) return existing;
    const { Plaintext, CiphertextBlob } = await this.kms.send(
      new GenerateDataKeyCommand({
        KeyId: this.where.kmsKeyId,
        KeySpec: 'AES_256',
        EncryptionContext: { userId },
      }),
    );
    try {
      await this.dynamodb.send(
        new PutCommand({
          TableName: this.where.table,
          Item: {
            UserID: userId,
            WrappedKey: Buffer.from(CiphertextBlob as Uint8Array).toString('base64'),
          },
          ConditionExpression: 'attribute_not_exists(UserID)',
        }),
      );
    } catch (error) {
      // Another request made this user's key first: use that one.
      if (error instanceof ConditionalCheckFailedException) return this.readOrCreate(userId);
      throw error;
    }
    return this.remember(userId, Buffer.from(Plaintext as Uint8Array));
  }

  forget(userId: string) {
    this.cache.delete(userId);
  }

  /** Deleting the key, as one item of the erasure's transaction. */
  deletionOf(userId: string) {
    return { Delete: { TableName: this.where.table, Key: { UserID: userId } } };
  }

  private remember(userId: string, key: Buffer) {
    this.cache.set(userId, { key, until: this.now() + DATA_KEY_CACHE_SECONDS * 1000 });
    return key;
  }
}
