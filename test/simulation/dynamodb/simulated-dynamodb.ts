import type { DynamoDBRecord } from 'aws-lambda';
import { Database, type ReadOptions, type SimulatedDynamoDBOptions } from './database';
import type { TableDefinition } from './definitions';
import { DynamoDBError } from './errors';
import { batchGetItem, batchWriteItem } from './operations/batches';
import { query } from './operations/query';
import { scan } from './operations/scan';
import { deleteItem, getItem, putItem, updateItem } from './operations/single-items';
import { createTable, deleteTable, describeTable, listTables } from './operations/table-admin';
import { transactGetItems } from './operations/transact-get';
import {
  type PendingTransaction,
  Transactions,
  type TransactWriteItemsInput,
} from './operations/transactions';

// biome-ignore lint/suspicious/noExplicitAny: each operation checks its own input, as DynamoDB does
type Operation = (db: Database, input: any, read: ReadOptions) => object;

const OPERATIONS: Record<string, Operation> = {
  GetItem: getItem,
  PutItem: putItem,
  UpdateItem: updateItem,
  DeleteItem: deleteItem,
  Query: query,
  Scan: scan,
  BatchGetItem: batchGetItem,
  BatchWriteItem: batchWriteItem,
  TransactGetItems: transactGetItems,
  CreateTable: createTable,
  DeleteTable: deleteTable,
  DescribeTable: describeTable,
  ListTables: listTables,
};

/** A transaction begun and not yet committed: opaque to callers. */
export type TransactionHandle = PendingTransaction;

/**
 * An in-memory DynamoDB speaking the JSON protocol (low-level AttributeValues in and out),
 * synchronous and deterministic: the same requests in the same order give the same answers.
 *
 * Every write that changes something commits under a new index (currentIndex). Reads that are
 * not strongly consistent (and every index read) can be answered as of an earlier commit, down
 * to the oldest one not forgotten (forgetBefore). Items stored and answered are shared, never
 * copied: callers must not mutate what they pass in or get back.
 */
export class SimulatedDynamoDB {
  private readonly db: Database;
  private readonly transactions: Transactions;
  private forgottenBefore = 0;

  constructor(tables: TableDefinition[], options: SimulatedDynamoDBOptions) {
    this.db = new Database(options);
    this.transactions = new Transactions(this.db);
    for (const definition of tables) this.db.createTable(definition);
  }

  /**
   * Runs one operation atomically and answers its output, or throws a DynamoDBError.
   * `read.asOf` is the commit an eventually consistent read sees (the latest if omitted).
   */
  execute(operation: string, input: object, read: ReadOptions = {}): object {
    if (read.asOf !== undefined) this.checkReadable(read.asOf);
    if (operation === 'TransactWriteItems') {
      return this.commitTransaction(this.beginTransaction(input));
    }
    const run = OPERATIONS[operation];
    if (!run) {
      throw new DynamoDBError('UnknownOperationException', `Unknown operation: ${operation}`);
    }
    return run(this.db, input, read);
  }

  /** The index of the latest commit (0 before any write). */
  currentIndex(): number {
    return this.db.currentIndex;
  }

  /** Drops what only reads as of a commit before `index` would need; such reads then throw. */
  forgetBefore(index: number): void {
    if (index <= this.forgottenBefore) return;
    this.forgottenBefore = Math.min(index, this.db.currentIndex);
    for (const table of this.db.tables.values()) {
      table.store.forgetBefore(this.forgottenBefore);
      for (const secondary of table.indexes.values()) {
        secondary.store.forgetBefore(this.forgottenBefore);
      }
    }
  }

  /**
   * Checks a TransactWriteItems request and holds its items until commitTransaction: meanwhile
   * a single write to one of them fails with TransactionConflictException, and a transaction
   * touching one is cancelled with reason TransactionConflict.
   */
  beginTransaction(input: object): TransactionHandle {
    return this.transactions.begin(input as TransactWriteItemsInput);
  }

  /** Evaluates the conditions against the latest state and applies all or nothing. */
  commitTransaction(handle: TransactionHandle): object {
    return this.transactions.commit(handle);
  }

  /** A table's stream records after a sequence number (all without one), as Lambda gets them. */
  streamRecords(table: string, afterSequence?: string): DynamoDBRecord[] {
    return this.db.table(table).stream?.after(afterSequence) ?? [];
  }

  private checkReadable(asOf: number) {
    if (asOf < this.forgottenBefore || asOf > this.db.currentIndex) {
      throw new Error(
        `Cannot read as of commit ${asOf}: commits ${this.forgottenBefore} to ${this.db.currentIndex} are known`,
      );
    }
  }
}
