import { type AttributeValue, equalItems, type Item } from './attribute-values';
import type { TableDefinition } from './definitions';
import { DynamoDBError, tableNotFound, validationError } from './errors';
import { keyText } from './keys';
import { TableStream } from './storage/streams';
import { Table } from './storage/table';
import type { Version } from './storage/versioned-store';

export type SimulatedDynamoDBOptions = {
  /** The clock, in epoch milliseconds: token windows, stream record times, table dates. */
  now: () => number;
  region?: string;
};

/** What an eventually consistent read may see: the state as of an earlier commit. */
export type ReadOptions = { asOf?: number };

/** One item's part in a commit: what it was, and what it becomes (undefined: deleted). */
export type ItemWrite = {
  table: Table;
  key: Item;
  old: Version | undefined;
  item: Item | undefined;
  size: number;
};

const ACCOUNT = '000000000000';
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

export const checkTableName = (name: unknown): string => {
  if (typeof name !== 'string' || !TABLE_NAME.test(name)) {
    throw validationError(
      "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'",
    );
  }
  return name;
};

/** The emulator's state: tables, the commit counter, and the items transactions hold. */
export class Database {
  readonly tables = new Map<string, Table>();
  readonly now: () => number;
  readonly region: string;
  /** Items held by transactions in flight, by `lockKey`. */
  readonly locks = new Set<string>();
  private commits = 0;
  private streamPosition = 0;

  constructor({ now, region = 'us-east-1' }: SimulatedDynamoDBOptions) {
    this.now = now;
    this.region = region;
  }

  get currentIndex(): number {
    return this.commits;
  }

  table(name: unknown): Table {
    const table = this.tables.get(checkTableName(name));
    if (!table) throw tableNotFound(name as string);
    return table;
  }

  createTable(definition: TableDefinition): Table {
    if (this.tables.has(definition.name)) {
      throw new DynamoDBError('ResourceInUseException', `Table already exists: ${definition.name}`);
    }
    const createdAt = this.now();
    const arn = `arn:aws:dynamodb:${this.region}:${ACCOUNT}:table/${definition.name}`;
    const label = new Date(createdAt).toISOString().slice(0, -1);
    const stream =
      definition.stream &&
      new TableStream(definition.stream, `${arn}/stream/${label}`, this.region);
    const table = new Table(definition, createdAt, arn, stream);
    this.tables.set(definition.name, table);
    return table;
  }

  lockKey(table: Table, key: Item): string {
    const { hashKey, rangeKey } = table.definition;
    const range = rangeKey ? keyText(key[rangeKey.name] as AttributeValue) : '';
    return JSON.stringify([table.name, keyText(key[hashKey.name] as AttributeValue), range]);
  }

  /** A single-item write to an item a transaction in flight holds is refused (AWS only). */
  checkUnlocked(table: Table, key: Item): void {
    if (this.locks.has(this.lockKey(table, key))) {
      throw new DynamoDBError(
        'TransactionConflictException',
        'Transaction is ongoing for the item',
      );
    }
  }

  /**
   * Applies writes atomically under one new commit index, and appends their stream records.
   * Writes that change nothing are dropped; if none is left, nothing is committed (DynamoDB
   * writes no stream record for them either).
   */
  commit(writes: ItemWrite[]): void {
    const changes = writes.filter(({ old, item }) =>
      old?.item && item ? !equalItems(old.item, item) : old?.item !== item,
    );
    if (changes.length === 0) return;
    const index = ++this.commits;
    const now = this.now();
    for (const { table, key, old, item, size } of changes) {
      table.write(key, old, item, size, index);
      table.stream?.append(
        { keys: table.keyOf(item ?? (old?.item as Item)), oldImage: old?.item, newImage: item },
        ++this.streamPosition,
        now,
      );
    }
  }
}
