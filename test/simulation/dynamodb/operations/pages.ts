import type { Item } from '../attribute-values';
import { validationError } from '../errors';
import { evaluate } from '../expressions/conditions';
import { type Projection, project } from '../expressions/projections';
import type { BoundCondition } from '../expressions/syntax';
import type { Version } from '../storage/versioned-store';
import type { ReadSource } from './read-sources';

/** DynamoDB stops reading a page once it has read 1 MB of items (before any filter). */
const PAGE_BYTES = 1024 * 1024;

export type PageOptions = {
  limit: number | undefined;
  filter: BoundCondition | undefined;
  projection: Projection | undefined;
  countOnly: boolean;
  source: ReadSource;
  /** True for an item at the inclusive end of a Query's range, where nothing can follow. */
  endsRange?: (item: Item) => boolean;
};

export const checkLimit = (limit: unknown) => {
  if (limit !== undefined && (typeof limit !== 'number' || limit < 1)) {
    throw validationError(
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  }
  return limit as number | undefined;
};

/** Checks Select against the projection and the index; true when only a count is asked. */
export const checkSelect = (
  select: string | undefined,
  projectionExpression: string | undefined,
  source: ReadSource,
): boolean => {
  if (
    projectionExpression !== undefined &&
    select !== undefined &&
    select !== 'SPECIFIC_ATTRIBUTES'
  ) {
    throw validationError(
      select === 'COUNT'
        ? 'Cannot specify the ProjectionExpression when choosing to get only the Count'
        : `Cannot specify the ProjectionExpression when choosing to get ${select}`,
    );
  }
  if (select === 'SPECIFIC_ATTRIBUTES' && projectionExpression === undefined) {
    throw validationError(
      'Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES',
    );
  }
  if (select === 'ALL_PROJECTED_ATTRIBUTES' && !source.index) {
    throw validationError(
      'ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName',
    );
  }
  if (select === 'ALL_ATTRIBUTES' && source.index && source.index.projection.type !== 'ALL') {
    throw validationError(
      `One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${source.index.name} because its projection type is not ALL`,
    );
  }
  return select === 'COUNT';
};

/**
 * One page of a Query or Scan over visible versions in read order. Limit counts items read,
 * not items matched. As DynamoDB Local answers: a page cut by its Limit has a LastEvaluatedKey
 * even if nothing follows, unless its last item is at the inclusive end of the Query's range;
 * a page cut by the 1 MB limit has one only if something follows.
 */
export const readPage = (versions: Iterator<Version>, options: PageOptions) => {
  const { limit, filter, projection, countOnly, source, endsRange } = options;
  const items: Item[] = [];
  let count = 0;
  let scanned = 0;
  let bytes = 0;
  let lastKey: Item | undefined;
  let next = versions.next();
  while (!next.done) {
    const { item, size } = next.value as Version & { item: Item };
    scanned++;
    bytes += size;
    if (!filter || evaluate(filter, item)) {
      count++;
      if (!countOnly) items.push(projection ? project(item, projection) : item);
    }
    if (scanned === limit) {
      if (!endsRange?.(item)) lastKey = source.lastKeyOf(item);
      break;
    }
    next = versions.next();
    if (bytes >= PAGE_BYTES) {
      if (!next.done) lastKey = source.lastKeyOf(item);
      break;
    }
  }
  return {
    ...(!countOnly && { Items: items }),
    Count: count,
    ScannedCount: scanned,
    ...(lastKey && { LastEvaluatedKey: lastKey }),
  };
};
