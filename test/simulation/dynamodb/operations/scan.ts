import type { AttributeValue } from '../attribute-values';
import type { Database, ReadOptions } from '../database';
import { validationError } from '../errors';
import { pathsOf } from '../expressions/conditions';
import { RequestExpressions } from '../expressions/request-expressions';
import type { ExpressionParameters } from '../expressions/substitutions';
import { keyText } from '../keys';
import {
  lowerBound,
  scanToken,
  type Version,
  type VersionedStore,
} from '../storage/versioned-store';
import { refuseLegacyParameters } from './legacy';
import { checkLimit, checkSelect, readPage } from './pages';
import { checkProjected, readSource, startKeyOf } from './read-sources';

type ScanInput = ExpressionParameters & {
  TableName: string;
  IndexName?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  Select?: string;
  Limit?: number;
  ConsistentRead?: boolean;
  ExclusiveStartKey?: Record<string, unknown>;
  Segment?: number;
  TotalSegments?: number;
};

type Segment = { segment: number; total: number };

const MAX_SEGMENTS = 1_000_000;

/** Segment s of n holds the partitions whose hash falls in the s-th n-th of the hash range. */
const segmentOf = (token: number, total: number) => Math.floor((token * total) / 2 ** 32);

const checkSegment = ({ Segment: segment, TotalSegments: total }: ScanInput) => {
  if (segment === undefined && total === undefined) return undefined;
  if (total === undefined) {
    throw validationError('If segment is specified, total segment must also be specified');
  }
  if (segment === undefined) {
    throw validationError('If total segment is specified, segment must also be specified');
  }
  if (total < 1 || total > MAX_SEGMENTS) {
    throw validationError(
      `1 validation error detected: Value '${total}' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to ${MAX_SEGMENTS}`,
    );
  }
  if (segment < 0 || segment >= total) {
    throw validationError(
      `1 validation error detected: Value '${segment}' at 'segment' failed to satisfy constraint: Member must have value less than or equal to ${total - 1}`,
    );
  }
  return { segment, total };
};

/**
 * Partitions in hash order, each one's items in sort key order: a user's items come together
 * and in order. Starts after `start` and stays within `segment`.
 */
function* scanOrder(
  store: VersionedStore,
  start: { hash: AttributeValue; sortKey: AttributeValue[] } | undefined,
  segment: Segment | undefined,
  asOf: number | undefined,
): Generator<Version> {
  const partitions = store.scanOrder;
  let at = segment
    ? lowerBound(partitions, (p) => segmentOf(p.token, segment.total) < segment.segment)
    : 0;
  let firstItem = 0;
  if (start) {
    const hashText = keyText(start.hash);
    at = store.partitionPosition(hashText, false);
    const partition = partitions[at];
    if (partition?.id === hashText) firstItem = store.position(partition, start.sortKey, true);
  }
  for (; at < partitions.length; at++, firstItem = 0) {
    const partition = partitions[at];
    if (!partition) break;
    if (segment && segmentOf(partition.token, segment.total) !== segment.segment) break;
    for (let i = firstItem; i < partition.items.length; i++) {
      const version = partition.items[i]?.visible(asOf);
      if (version?.item) yield version;
    }
  }
}

export const scan = (db: Database, input: ScanInput, read: ReadOptions) => {
  refuseLegacyParameters(input);
  const table = db.table(input.TableName);
  const source = readSource(table, input.IndexName);
  if (source.index && input.ConsistentRead) {
    throw validationError('Consistent reads are not supported on global secondary indexes');
  }
  const limit = checkLimit(input.Limit);
  const segment = checkSegment(input);
  const expressions = new RequestExpressions(input);
  const filter = expressions.condition('FilterExpression', input.FilterExpression);
  const projection = expressions.projection(input.ProjectionExpression);
  expressions.checkAllUsed();
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
  if (
    start &&
    segment &&
    segmentOf(scanToken(keyText(start.hash)), segment.total) !== segment.segment
  ) {
    throw validationError(
      'The provided Exclusive start key does not map to the provided Segment and TotalSegments values.',
    );
  }
  const asOf = source.index || !input.ConsistentRead ? read.asOf : undefined;
  return readPage(scanOrder(source.store, start, segment, asOf), {
    limit,
    filter,
    projection,
    countOnly,
    source,
  });
};
