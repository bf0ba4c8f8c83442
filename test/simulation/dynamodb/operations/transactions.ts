import { stringify } from 'safe-stable-stringify';
import type { Item } from '../attribute-values';
import type { Database, ItemWrite } from '../database';
import {
  CONDITION_FAILED_MESSAGE,
  DynamoDBError,
  ItemValidationError,
  validationError,
} from '../errors';
import type { Table } from '../storage/table';
import {
  conditionHolds,
  itemWrite,
  type KeyedInput,
  type PreparedWrite,
  type PutInput,
  prepareConditionCheck,
  prepareDelete,
  preparePut,
  prepareUpdate,
  type UpdateInput,
} from './writes';

type TransactWriteItem = {
  Put?: PutInput;
  Update?: UpdateInput;
  Delete?: KeyedInput;
  ConditionCheck?: KeyedInput;
};

export type TransactWriteItemsInput = {
  TransactItems: TransactWriteItem[];
  ClientRequestToken?: string;
};

type CancellationReason = { Code: string; Message?: string; Item?: Item };

const MAX_ITEMS = 100;
/** How long DynamoDB remembers a ClientRequestToken after its transaction completed. */
const TOKEN_WINDOW_MS = 10 * 60 * 1000;
const CONFLICT: CancellationReason = {
  Code: 'TransactionConflict',
  Message: 'Transaction is ongoing for the item',
};

export const transactionCanceled = (reasons: CancellationReason[]) =>
  new DynamoDBError(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    { CancellationReasons: reasons },
  );

/** An item of a transaction: ready to write, or refused on its own (it will cancel the rest). */
type TransactionItem = { write: PreparedWrite } | { refused: DynamoDBError };

/** A transaction whose items are checked and held, waiting to be committed. */
export class PendingTransaction {
  settled = false;

  constructor(
    readonly items: TransactionItem[],
    readonly locks: string[],
    readonly token: string | undefined,
    readonly identity: string,
    /** A repeat of a transaction already committed under the same token: nothing to apply. */
    readonly repeat: boolean,
  ) {}
}

export const checkItemCount = (items: unknown) => {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    throw validationError(
      `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ITEMS}`,
    );
  }
};

const prepareItem = (db: Database, item: TransactWriteItem): TransactionItem => {
  try {
    return { write: prepare(db, item) };
  } catch (error) {
    if (error instanceof ItemValidationError) return { refused: error };
    throw error;
  }
};

const prepare = (db: Database, item: TransactWriteItem): PreparedWrite => {
  const kinds = Object.keys(item).filter((kind) => item[kind as keyof TransactWriteItem]);
  if (kinds.length !== 1) {
    throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
  }
  if (item.Put) return preparePut(db, item.Put);
  if (item.Update) return prepareUpdate(db, item.Update);
  if (item.Delete) return prepareDelete(db, item.Delete);
  return prepareConditionCheck(db, item.ConditionCheck as KeyedInput);
};

export const lockKeysOf = (db: Database, targets: { table: Table; key: Item }[]) => {
  const keys = targets.map(({ table, key }) => db.lockKey(table, key));
  if (new Set(keys).size !== keys.length) {
    throw validationError('Transaction request cannot include multiple operations on one item');
  }
  return keys;
};

export const refuseHeld = (db: Database, keys: string[]) => {
  if (keys.some((key) => db.locks.has(key))) {
    throw transactionCanceled(keys.map((key) => (db.locks.has(key) ? CONFLICT : { Code: 'None' })));
  }
};

/**
 * TransactWriteItems in two steps, so that a transaction can be held in flight: `begin` checks
 * the request and holds its items (another transaction or a single write meeting them is
 * refused), `commit` evaluates every condition against the latest state and applies all or
 * nothing. ClientRequestToken makes a repeat within 10 minutes a success that applies nothing.
 */
export class Transactions {
  private readonly tokens = new Map<
    string,
    { identity: string; completedAt: number | undefined }
  >();

  constructor(private readonly db: Database) {}

  begin(input: TransactWriteItemsInput): PendingTransaction {
    const { db } = this;
    checkItemCount(input.TransactItems);
    const items = input.TransactItems.map((item) => prepareItem(db, item));
    const locks = lockKeysOf(
      db,
      items.flatMap((item) => ('write' in item ? [item.write] : [])),
    );
    const { ClientRequestToken: token, ...request } = input;
    const identity = stringify(request) as string;
    if (token !== undefined && this.completed(token, identity)) {
      return new PendingTransaction(items, [], token, identity, true);
    }
    refuseHeld(db, locks);
    if (token !== undefined) this.tokens.set(token, { identity, completedAt: undefined });
    const transaction = new PendingTransaction(items, locks, token, identity, false);
    for (const key of locks) db.locks.add(key);
    return transaction;
  }

  /** Whether a token names a transaction completed within the window, with this very request. */
  private completed(token: string, identity: string): boolean {
    const now = this.db.now();
    // Oldest first: forgetting stops at the first token still remembered.
    for (const [known, { completedAt }] of this.tokens) {
      if (completedAt === undefined || completedAt + TOKEN_WINDOW_MS >= now) break;
      this.tokens.delete(known);
    }
    const known = this.tokens.get(token);
    if (!known) return false;
    if (known.identity !== identity) {
      throw new DynamoDBError(
        'IdempotentParameterMismatchException',
        'The request uses the same client token as a previous, but non-identical request.',
      );
    }
    if (known.completedAt === undefined) {
      throw new DynamoDBError(
        'TransactionInProgressException',
        'The transaction with the given request token is already in progress.',
      );
    }
    return true;
  }

  commit(transaction: PendingTransaction): Record<string, never> {
    if (transaction.settled) throw new Error('This transaction was already committed');
    transaction.settled = true;
    if (transaction.repeat) return {};
    const { db } = this;
    for (const key of transaction.locks) db.locks.delete(key);
    const reasons: CancellationReason[] = [];
    const changes: ItemWrite[] = [];
    for (const item of transaction.items) {
      if ('refused' in item) {
        reasons.push({ Code: 'ValidationError', Message: item.refused.message });
        continue;
      }
      const { write } = item;
      const old = write.table.read(write.key);
      if (!conditionHolds(write, old)) {
        reasons.push({
          Code: 'ConditionalCheckFailed',
          Message: CONDITION_FAILED_MESSAGE,
          ...(write.returnOldOnFailure && old?.item && { Item: old.item }),
        });
        continue;
      }
      try {
        changes.push(itemWrite(write, old));
        reasons.push({ Code: 'None' });
      } catch (error) {
        // An update that cannot apply to the item it meets cancels the transaction (AWS).
        if (!(error instanceof DynamoDBError)) throw error;
        reasons.push({ Code: 'ValidationError', Message: error.message });
      }
    }
    const token = transaction.token;
    if (reasons.some((reason) => reason.Code !== 'None')) {
      if (token !== undefined) this.tokens.delete(token);
      throw transactionCanceled(reasons);
    }
    db.commit(changes);
    if (token !== undefined) {
      this.tokens.delete(token);
      this.tokens.set(token, { identity: transaction.identity, completedAt: db.now() });
    }
    return {};
  }
}
