import type { Item } from '../attribute-values';
import type { Database, ReadOptions } from '../database';
import { validationError } from '../errors';
import { project } from '../expressions/projections';
import { RequestExpressions } from '../expressions/request-expressions';
import type { ExpressionParameters } from '../expressions/substitutions';
import { checkKey } from '../keys';
import { itemWrite, type PreparedWrite, prepareDelete, preparePut } from './writes';

type KeysAndAttributes = ExpressionParameters & {
  Keys: Item[];
  ProjectionExpression?: string;
  ConsistentRead?: boolean;
};

type WriteRequest = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };

const MAX_GETS = 100;
const MAX_WRITES = 25;

const refuseDuplicates = (keys: string[]) => {
  if (new Set(keys).size !== keys.length) {
    throw validationError('Provided list of item keys contains duplicates');
  }
};

const requestCount = (requestItems: Record<string, unknown[]>, max: number, operation: string) => {
  const count = Object.values(requestItems).reduce((sum, list) => sum + list.length, 0);
  if (count === 0) {
    throw validationError(
      `1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (count > max) throw validationError(`Too many items requested for the ${operation} call`);
};

export const batchGetItem = (
  db: Database,
  input: { RequestItems: Record<string, KeysAndAttributes> },
  read: ReadOptions,
) => {
  const requests = Object.entries(input.RequestItems ?? {});
  requestCount(
    Object.fromEntries(requests.map(([name, request]) => [name, request.Keys ?? []])),
    MAX_GETS,
    'BatchGetItem',
  );
  const plans = requests.map(([name, request]) => {
    const table = db.table(name);
    const keys = (request.Keys ?? []).map((key) => checkKey(key, table.definition));
    refuseDuplicates(keys.map((key) => db.lockKey(table, key)));
    const expressions = new RequestExpressions(request);
    const projection = expressions.projection(request.ProjectionExpression);
    expressions.checkAllUsed();
    return { table, keys, projection, asOf: request.ConsistentRead ? undefined : read.asOf };
  });
  const Responses: Record<string, Item[]> = {};
  for (const { table, keys, projection, asOf } of plans) {
    const found: Item[] = [];
    for (const key of keys) {
      const item = table.read(key, asOf)?.item;
      if (item) found.push(projection ? project(item, projection) : item);
    }
    Responses[table.name] = found;
  }
  return { Responses, UnprocessedKeys: {} };
};

/**
 * Each put and delete is atomic on its own. A request touching an item a transaction in flight
 * holds is refused whole with TransactionConflictException, before any of it is applied.
 */
export const batchWriteItem = (
  db: Database,
  input: { RequestItems: Record<string, WriteRequest[]> },
) => {
  const requests = Object.entries(input.RequestItems ?? {});
  requestCount(Object.fromEntries(requests), MAX_WRITES, 'BatchWriteItem');
  const writes: PreparedWrite[] = requests.flatMap(([TableName, list]) => {
    const prepared = list.map((request) => {
      if (request.PutRequest && !request.DeleteRequest) {
        return preparePut(db, { TableName, Item: request.PutRequest.Item });
      }
      if (request.DeleteRequest && !request.PutRequest) {
        return prepareDelete(db, { TableName, Key: request.DeleteRequest.Key });
      }
      throw validationError(
        'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
      );
    });
    refuseDuplicates(prepared.map((write) => db.lockKey(write.table, write.key)));
    return prepared;
  });
  for (const write of writes) db.checkUnlocked(write.table, write.key);
  for (const write of writes) db.commit([itemWrite(write, write.table.read(write.key))]);
  return { UnprocessedItems: {} };
};
