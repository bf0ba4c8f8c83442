import type { Item } from '../attribute-values';
import { canonicalItem } from '../canonical-values';
import type { Database, ItemWrite } from '../database';
import { keyAttributesOf } from '../definitions';
import { CONDITION_FAILED_MESSAGE, DynamoDBError, validationError } from '../errors';
import { evaluate } from '../expressions/conditions';
import { RequestExpressions } from '../expressions/request-expressions';
import type { ExpressionParameters } from '../expressions/substitutions';
import type { BoundCondition, BoundUpdateAction } from '../expressions/syntax';
import { applyUpdate } from '../expressions/updates';
import { itemSize, MAX_ITEM_SIZE } from '../item-sizes';
import { checkIndexKeys, checkItemKey, checkKey } from '../keys';
import type { Table } from '../storage/table';
import type { Version } from '../storage/versioned-store';
import { refuseLegacyParameters } from './legacy';

type Conditional = ExpressionParameters & {
  TableName: string;
  ConditionExpression?: string;
  ReturnValuesOnConditionCheckFailure?: string;
};

export type PutInput = Conditional & { Item: Item };
export type KeyedInput = Conditional & { Key: Item };
export type UpdateInput = KeyedInput & { UpdateExpression?: string };

/**
 * A write checked against its table and ready to meet the item it finds: the same shape for
 * PutItem, UpdateItem, DeleteItem, a batch's requests and a transaction's items.
 */
export type PreparedWrite = {
  table: Table;
  key: Item;
  condition: BoundCondition | undefined;
  returnOldOnFailure: boolean;
  /** The updated paths' actions, for ReturnValues UPDATED_OLD and UPDATED_NEW. */
  update?: BoundUpdateAction[];
  /** What the write leaves, from what it finds: undefined deletes, `old` leaves it as it is. */
  result(old: Version | undefined): { item: Item | undefined; size: number };
};

const checkReturnOnFailure = (value: string | undefined) => {
  if (value !== undefined && value !== 'NONE' && value !== 'ALL_OLD') {
    throw validationError('Return values on condition check failure set to invalid value');
  }
  return value === 'ALL_OLD';
};

/** An item fit to store: its keys, its index keys and its size as DynamoDB checks them. */
export const checkedItem = (table: Table, item: Item, sizeMessage: string) => {
  checkItemKey(item, table.definition);
  for (const index of table.definition.indexes ?? []) checkIndexKeys(item, index);
  const size = itemSize(item);
  if (size > MAX_ITEM_SIZE) throw validationError(sizeMessage);
  return { item, size };
};

const conditionOf = (input: Conditional, expressions: RequestExpressions) =>
  expressions.condition('ConditionExpression', input.ConditionExpression);

export const preparePut = (db: Database, input: PutInput): PreparedWrite => {
  refuseLegacyParameters(input);
  const table = db.table(input.TableName);
  const written = checkedItem(
    table,
    canonicalItem(input.Item),
    'Item size has exceeded the maximum allowed size',
  );
  const expressions = new RequestExpressions(input);
  const condition = conditionOf(input, expressions);
  expressions.checkAllUsed();
  return {
    table,
    key: table.keyOf(written.item),
    condition,
    returnOldOnFailure: checkReturnOnFailure(input.ReturnValuesOnConditionCheckFailure),
    result: () => written,
  };
};

export const prepareDelete = (db: Database, input: KeyedInput): PreparedWrite => {
  refuseLegacyParameters(input);
  const table = db.table(input.TableName);
  const key = checkKey(input.Key, table.definition);
  const expressions = new RequestExpressions(input);
  const condition = conditionOf(input, expressions);
  expressions.checkAllUsed();
  return {
    table,
    key,
    condition,
    returnOldOnFailure: checkReturnOnFailure(input.ReturnValuesOnConditionCheckFailure),
    result: () => ({ item: undefined, size: 0 }),
  };
};

export const prepareConditionCheck = (db: Database, input: KeyedInput): PreparedWrite => {
  if (input.ConditionExpression === undefined) {
    throw validationError('The ConditionExpression parameter is required for ConditionCheck');
  }
  const write = prepareDelete(db, input);
  return { ...write, result: (old) => ({ item: old?.item, size: old?.size ?? 0 }) };
};

export const prepareUpdate = (db: Database, input: UpdateInput): PreparedWrite => {
  refuseLegacyParameters(input);
  const table = db.table(input.TableName);
  const key = checkKey(input.Key, table.definition);
  const expressions = new RequestExpressions(input);
  const keyNames = keyAttributesOf(table.definition).map((attribute) => attribute.name);
  const update = expressions.update(input.UpdateExpression);
  const condition = conditionOf(input, expressions);
  expressions.checkAllUsed();
  return {
    table,
    key,
    condition,
    update,
    returnOldOnFailure: checkReturnOnFailure(input.ReturnValuesOnConditionCheckFailure),
    // An update of an item that does not exist creates it, from its key.
    result: (old) =>
      checkedItem(
        table,
        update ? applyUpdate(update, old?.item, old?.item ?? key, keyNames) : (old?.item ?? key),
        'Item size to update has exceeded the maximum allowed size',
      ),
  };
};

/** True when the write's condition holds for the item it finds. */
export const conditionHolds = (write: PreparedWrite, old: Version | undefined) =>
  !write.condition || evaluate(write.condition, old?.item);

export const conditionFailed = (write: PreparedWrite, old: Version | undefined) =>
  new DynamoDBError(
    'ConditionalCheckFailedException',
    CONDITION_FAILED_MESSAGE,
    write.returnOldOnFailure && old?.item ? { Item: old.item } : {},
  );

/** The item write a prepared write makes of the item it found. */
export const itemWrite = (write: PreparedWrite, old: Version | undefined): ItemWrite => ({
  table: write.table,
  key: write.key,
  old,
  ...write.result(old),
});
