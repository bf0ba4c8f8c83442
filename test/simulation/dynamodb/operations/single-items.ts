import type { Item } from '../attribute-values';
import type { Database, ReadOptions } from '../database';
import { validationError } from '../errors';
import { project, projectionOf } from '../expressions/projections';
import { RequestExpressions } from '../expressions/request-expressions';
import type { ExpressionParameters } from '../expressions/substitutions';
import { checkKey } from '../keys';
import { refuseLegacyParameters } from './legacy';
import {
  conditionFailed,
  conditionHolds,
  itemWrite,
  type KeyedInput,
  type PreparedWrite,
  type PutInput,
  prepareDelete,
  preparePut,
  prepareUpdate,
  type UpdateInput,
} from './writes';

type GetItemInput = ExpressionParameters & {
  TableName: string;
  Key: Item;
  ProjectionExpression?: string;
  ConsistentRead?: boolean;
};

type Returning = { ReturnValues?: string };

export const getItem = (db: Database, input: GetItemInput, read: ReadOptions) => {
  refuseLegacyParameters(input);
  const table = db.table(input.TableName);
  const key = checkKey(input.Key, table.definition);
  const expressions = new RequestExpressions(input);
  const projection = expressions.projection(input.ProjectionExpression);
  expressions.checkAllUsed();
  const version = table.read(key, input.ConsistentRead ? undefined : read.asOf);
  if (!version?.item) return {};
  return { Item: projection ? project(version.item, projection) : version.item };
};

const checkReturnValues = (value: string | undefined, allowed: string[]) => {
  if (value !== undefined && !allowed.includes(value)) {
    throw validationError('Return values set to invalid value');
  }
  return value ?? 'NONE';
};

/** One item, atomically: refused while a transaction holds it, then its condition, then the write. */
const writeOne = (db: Database, write: PreparedWrite) => {
  db.checkUnlocked(write.table, write.key);
  const old = write.table.read(write.key);
  if (!conditionHolds(write, old)) throw conditionFailed(write, old);
  const change = itemWrite(write, old);
  db.commit([change]);
  return { old: old?.item, item: change.item };
};

const answer = (attributes: Item | undefined) =>
  attributes && Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};

export const putItem = (db: Database, input: PutInput & Returning) => {
  const returnValues = checkReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD']);
  const { old } = writeOne(db, preparePut(db, input));
  return answer(returnValues === 'ALL_OLD' ? old : undefined);
};

export const deleteItem = (db: Database, input: KeyedInput & Returning) => {
  const returnValues = checkReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD']);
  const { old } = writeOne(db, prepareDelete(db, input));
  return answer(returnValues === 'ALL_OLD' ? old : undefined);
};

export const updateItem = (db: Database, input: UpdateInput & Returning) => {
  const returnValues = checkReturnValues(input.ReturnValues, [
    'NONE',
    'ALL_OLD',
    'ALL_NEW',
    'UPDATED_OLD',
    'UPDATED_NEW',
  ]);
  const write = prepareUpdate(db, input);
  const { old, item } = writeOne(db, write);
  switch (returnValues) {
    case 'ALL_OLD':
      return answer(old);
    case 'ALL_NEW':
      return answer(item);
    case 'UPDATED_OLD':
    case 'UPDATED_NEW': {
      const updated = (returnValues === 'UPDATED_OLD' ? old : item) ?? {};
      const paths = (write.update ?? []).map((action) => action.path);
      // Only the paths written, nested ones as nested (DynamoDB Local answers whole attributes).
      return answer(
        paths.length > 0 ? project(updated, projectionOf(paths, 'UpdateExpression')) : {},
      );
    }
    default:
      return {};
  }
};
