import type { AttributeValue } from '../attribute-values';
import type { Database, ReadOptions } from '../database';
import { validationError } from '../errors';
import { beginsWith, pathsOf } from '../expressions/conditions';
import { RequestExpressions } from '../expressions/request-expressions';
import type { ExpressionParameters } from '../expressions/substitutions';
import type { BoundCondition } from '../expressions/syntax';
import { keyText } from '../keys';
import type { Partition, Version, VersionedStore } from '../storage/versioned-store';
import { type KeyCondition, keyConditionOf } from './key-conditions';
import { refuseLegacyParameters } from './legacy';
import { checkLimit, checkSelect, readPage } from './pages';
import { checkProjected, type ReadSource, readSource, startKeyOf } from './read-sources';

type QueryInput = ExpressionParameters & {
  TableName: string;
  IndexName?: string;
  KeyConditionExpression?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  Select?: string;
  Limit?: number;
  ConsistentRead?: boolean;
  ScanIndexForward?: boolean;
  ExclusiveStartKey?: Record<string, unknown>;
};

/** The positions [from, to) of the items the key condition's range selects. */
const rangeOf = (store: VersionedStore, partition: Partition, condition: KeyCondition) => {
  const { lower, upper, prefix } = condition;
  if (prefix) {
    // Sort keys sharing a prefix sort together, from the prefix itself on.
    const from = store.position(partition, [prefix], false);
    let to = from;
    while (to < partition.items.length && beginsWith(partition.items[to]?.sortKey[0], prefix)) to++;
    return { from, to };
  }
  return {
    from: lower ? store.position(partition, [lower.value], !lower.inclusive) : 0,
    to: upper ? store.position(partition, [upper.value], upper.inclusive) : partition.items.length,
  };
};

/** Whether an item is at the inclusive bound a Query travels toward (`<=`, `>=`, BETWEEN). */
const endsRange = (
  { lower, upper, exact }: KeyCondition,
  forward: boolean,
  sortValue: AttributeValue | undefined,
) => {
  const end = forward ? upper : lower;
  return (
    !exact &&
    end?.inclusive === true &&
    sortValue !== undefined &&
    keyText(sortValue) === keyText(end.value)
  );
};

function* visible(
  partition: Partition,
  from: number,
  to: number,
  forward: boolean,
  asOf: number | undefined,
): Generator<Version> {
  for (let i = forward ? from : to - 1; forward ? i < to : i >= from; i += forward ? 1 : -1) {
    const version = partition.items[i]?.visible(asOf);
    if (version?.item) yield version;
  }
}

const refuseKeysInFilter = (expressions: ReturnType<typeof pathsOf>, source: ReadSource) => {
  const keyNames = [source.key.hashKey.name, source.key.rangeKey?.name];
  const used = expressions.find((path) => keyNames.includes(path[0] as string));
  if (used) {
    throw validationError(
      `Filter Expression can only contain non-primary key attributes: Primary key attribute: ${used[0]}`,
    );
  }
};

export const query = (db: Database, input: QueryInput, read: ReadOptions) => {
  refuseLegacyParameters(input);
  const table = db.table(input.TableName);
  const source = readSource(table, input.IndexName);
  if (source.index && input.ConsistentRead) {
    throw validationError('Consistent reads are not supported on global secondary indexes');
  }
  const limit = checkLimit(input.Limit);
  if (input.KeyConditionExpression === undefined) {
    throw validationError(
      'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
    );
  }
  const expressions = new RequestExpressions(input);
  const keyCondition = keyConditionOf(
    expressions.condition('KeyConditionExpression', input.KeyConditionExpression) as BoundCondition,
    source.key,
  );
  const filter = expressions.condition('FilterExpression', input.FilterExpression);
  const projection = expressions.projection(input.ProjectionExpression);
  expressions.checkAllUsed();
  if (filter) refuseKeysInFilter(pathsOf(filter), source);
  if (source.index && filter) {
    checkProjected(
      source,
      pathsOf(filter).map((path) => path[0] as string),
      (names) =>
        `Secondary index ${source.index?.name} does not project one or more filter attributes: [${names}]`,
    );
  }
  if (source.index && projection) {
    checkProjected(
      source,
      projection.keys(),
      (names) => `Global secondary index ${source.index?.name} does not project [${names}]`,
    );
  }
  const countOnly = checkSelect(input.Select, input.ProjectionExpression, source);
  const start = startKeyOf(table, source, input.ExclusiveStartKey);
  if (start && keyText(start.hash) !== keyText(keyCondition.hash)) {
    throw validationError('The provided starting key does not match the range key predicate');
  }

  const forward = input.ScanIndexForward !== false;
  const asOf = source.index || !input.ConsistentRead ? read.asOf : undefined;
  const partition = source.store.partition(keyText(keyCondition.hash));
  let versions: Iterator<Version> = [][Symbol.iterator]();
  if (partition) {
    let { from, to } = rangeOf(source.store, partition, keyCondition);
    if (start && forward)
      from = Math.max(from, source.store.position(partition, start.sortKey, true));
    if (start && !forward)
      to = Math.min(to, source.store.position(partition, start.sortKey, false));
    versions = visible(partition, from, to, forward, asOf);
  }
  return readPage(versions, {
    limit,
    filter,
    projection,
    countOnly,
    source,
    endsRange: (item) => endsRange(keyCondition, forward, source.sortKeyOf(item)[0]),
  });
};
