import fc from 'fast-check';
import type { TableDefinition } from '../definitions';
import {
  condition,
  expressionParameters,
  merged,
  NAME,
  onProjected,
  shape,
  update,
} from './expressions';
import { itemFor, keyFor, n, PAYLOAD, pk, sk, type Tables, tag, type Values } from './items';

/** Random requests for the differential test, of every kind the project sends. */

export type Operation = {
  operation: string;
  input: Record<string, unknown>;
  /** How to compare the answers: as they are, page by page, or as sets of items. */
  read?: 'pages' | 'unordered';
};

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const onFailure = maybe(fc.constantFrom('ALL_OLD', 'NONE'));

const put = (table: TableDefinition, withEmptyTag = true) =>
  fc
    .record({ item: itemFor(table, withEmptyTag), condition: maybe(condition), onFailure })
    .map(({ item, condition: c, onFailure: f }) => ({
      TableName: table.name,
      Item: item,
      ...(c && expressionParameters(c, 'Condition')),
      ...(f && { ReturnValuesOnConditionCheckFailure: f }),
    }));

const updateOf = (table: TableDefinition, forTransaction: boolean) =>
  fc
    .record({ key: keyFor(table), update, condition: maybe(condition), onFailure })
    .filter(({ update: u }) => !(forTransaction && u.notInTransactions))
    .map(({ key, update: u, condition: c, onFailure: f }) => ({
      nested: u.nested === true,
      input: {
        TableName: table.name,
        Key: key,
        ...merged([
          ['UpdateExpression', u],
          ['ConditionExpression', c],
        ]),
        ...(f && { ReturnValuesOnConditionCheckFailure: f }),
      },
    }));

const keyed = (table: TableDefinition, required: boolean) =>
  fc
    .record({ key: keyFor(table), condition: required ? condition : maybe(condition), onFailure })
    .map(({ key, condition: c, onFailure: f }) => ({
      TableName: table.name,
      Key: key,
      ...(c && expressionParameters(c, 'Condition')),
      ...(f && { ReturnValuesOnConditionCheckFailure: f }),
    }));

/** The item a transaction's action is on: each item at most once per transaction. */
const itemOfTransaction = (action: Record<string, Record<string, unknown>>) => {
  const { TableName, Item, Key } = Object.values(action)[0] as {
    TableName: string;
    Item?: Record<string, unknown>;
    Key?: Record<string, unknown>;
  };
  const { pk: hash, sk: range } = (Key ?? Item) as Record<string, unknown>;
  return JSON.stringify([TableName, hash, TableName.startsWith('ranged') ? range : undefined]);
};

const writeRequest = (table: TableDefinition) =>
  fc.oneof(
    put(table).map(({ Item }) => ({ PutRequest: { Item } })),
    keyFor(table).map((Key) => ({ DeleteRequest: { Key } })),
  );

const keyOfRequest = (request: {
  PutRequest?: { Item: Values };
  DeleteRequest?: { Key: Values };
}) => {
  const { pk: hash, sk: range } = request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {};
  return JSON.stringify([hash, range]);
};

const upTo4 = { minLength: 1, maxLength: 4 };

const eitherTable = (tables: Tables) => fc.constantFrom(tables.single, tables.ranged);

const writes = (tables: Tables): fc.Arbitrary<Operation>[] => [
  eitherTable(tables)
    .chain((table) =>
      fc.tuple(
        put(table),
        // ALL_NEW now and then: PutItem refuses it.
        maybe(fc.constantFrom('ALL_OLD', 'NONE', 'ALL_OLD', 'NONE', 'ALL_NEW')),
      ),
    )
    .map(([input, returnValues]) => ({
      operation: 'PutItem',
      input: { ...input, ...(returnValues && { ReturnValues: returnValues }) },
    })),
  eitherTable(tables)
    .chain((table) =>
      fc.tuple(
        updateOf(table, false),
        maybe(fc.constantFrom('NONE', 'ALL_OLD', 'ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW')),
      ),
    )
    // DynamoDB Local answers UPDATED_* with whole top-level attributes, AWS with the nested paths.
    .filter(([{ nested }, returnValues]) => !(nested && returnValues?.startsWith('UPDATED')))
    .map(([{ input }, returnValues]) => ({
      operation: 'UpdateItem',
      input: { ...input, ...(returnValues && { ReturnValues: returnValues }) },
    })),
  eitherTable(tables)
    .chain((table) => fc.tuple(keyed(table, false), maybe(fc.constantFrom('ALL_OLD', 'NONE'))))
    .map(([input, returnValues]) => ({
      operation: 'DeleteItem',
      input: { ...input, ...(returnValues && { ReturnValues: returnValues }) },
    })),
  eitherTable(tables)
    .chain((table) =>
      fc
        .oneof(
          {
            weight: 4,
            arbitrary: fc.uniqueArray(writeRequest(table), { ...upTo4, selector: keyOfRequest }),
          },
          // Now and then one item twice, which DynamoDB refuses.
          fc.array(writeRequest(table), upTo4),
        )
        .map((requests) => ({ [table.name]: requests })),
    )
    .map((RequestItems) => ({ operation: 'BatchWriteItem', input: { RequestItems } })),
  fc
    .uniqueArray(
      eitherTable(tables).chain((table) =>
        fc.oneof(
          put(table, false).map((Put) => ({ Put })),
          updateOf(table, true).map(({ input }) => ({ Update: input })),
          keyed(table, false).map((Delete) => ({ Delete })),
          keyed(table, true).map((ConditionCheck) => ({ ConditionCheck })),
        ),
      ),
      { minLength: 1, maxLength: 4, selector: itemOfTransaction },
    )
    .map((TransactItems) => ({ operation: 'TransactWriteItems', input: { TransactItems } })),
];

const projection = fc.constantFrom(
  { ProjectionExpression: 'Version, #name', ExpressionAttributeNames: NAME },
  { ProjectionExpression: 'Info.x, Entries[1], Entries[0], pk' },
  { ProjectionExpression: 'Tags, Tally, Nothing' },
);

const reads = (tables: Tables): fc.Arbitrary<Operation>[] => [
  eitherTable(tables)
    .chain((table) =>
      fc.tuple(keyFor(table), maybe(projection)).map((parts) => [table, ...parts] as const),
    )
    .map(([table, key, p]) => ({
      operation: 'GetItem',
      input: { TableName: table.name, Key: key, ConsistentRead: true, ...p },
    })),
  fc
    .record({
      hash: pk,
      range: maybe(
        fc.oneof(
          shape('sk > :sk', fc.record({ ':sk': sk })),
          shape('sk <= :sk', fc.record({ ':sk': sk })),
          shape('sk = :sk', fc.record({ ':sk': sk })),
          shape('sk BETWEEN :low AND :high', fc.record({ ':low': sk, ':high': sk })),
        ),
      ),
      filter: maybe(condition),
      limit: maybe(fc.integer({ min: 1, max: 4 })),
      forward: fc.boolean(),
      count: fc.boolean(),
    })
    .map(({ hash, range, filter, limit, forward, count }) => ({
      operation: 'Query',
      read: 'pages' as const,
      input: {
        TableName: tables.ranged.name,
        ConsistentRead: true,
        ScanIndexForward: forward,
        ...(limit && { Limit: limit }),
        ...(count && { Select: 'COUNT' }),
        ...merged([
          [
            'KeyConditionExpression',
            {
              expression: `pk = :pk${range ? ` AND ${range.expression}` : ''}`,
              values: { ':pk': hash, ...range?.values },
            },
          ],
          ['FilterExpression', filter],
        ]),
      },
    })),
  fc
    .record({
      tag,
      after: maybe(sk),
      filter: maybe(fc.oneof({ weight: 4, arbitrary: onProjected }, condition)),
    })
    .map(({ tag: t, after, filter }) => ({
      operation: 'Query',
      // Items with equal index keys come in an order of DynamoDB's choosing.
      read: 'unordered' as const,
      input: {
        TableName: tables.ranged.name,
        IndexName: 'byTag',
        ...merged([
          [
            'KeyConditionExpression',
            {
              expression: `tag = :tag${after ? ' AND sk > :sk' : ''}`,
              values: { ':tag': t, ...(after && { ':sk': after }) },
            },
          ],
          ['FilterExpression', filter],
        ]),
      },
    })),
  fc
    .record({
      table: eitherTable(tables),
      filter: maybe(condition),
      limit: maybe(fc.integer({ min: 1, max: 5 })),
      segments: maybe(fc.integer({ min: 1, max: 3 })),
      index: fc.boolean(),
    })
    .map(({ table, filter, limit, segments, index }) => {
      const onIndex = index && table.indexes !== undefined;
      return {
        operation: 'Scan',
        read: 'unordered' as const,
        input: {
          TableName: table.name,
          ...(onIndex ? { IndexName: 'byTag' } : { ConsistentRead: true }),
          ...(limit && { Limit: limit }),
          ...(segments && { TotalSegments: segments }),
          // DynamoDB Local filters an index Scan on the table's items, attributes the index
          // does not hold included; the emulator refuses such a filter, as it does for a Query.
          ...merged([['FilterExpression', onIndex ? undefined : filter]]),
        },
      };
    }),
  fc
    .uniqueArray(keyFor(tables.ranged), {
      minLength: 1,
      maxLength: 4,
      selector: (key) => JSON.stringify(key),
    })
    .map((Keys) => ({
      operation: 'BatchGetItem',
      read: 'unordered' as const,
      input: { RequestItems: { [tables.ranged.name]: { Keys, ConsistentRead: true } } },
    })),
  fc
    .uniqueArray(
      eitherTable(tables).chain((table) =>
        keyFor(table).map((Key) => ({ Get: { TableName: table.name, Key } })),
      ),
      { minLength: 1, maxLength: 3, selector: itemOfTransaction },
    )
    .map((TransactItems) => ({ operation: 'TransactGetItems', input: { TransactItems } })),
];

/** Two actions on one item, without conditions: DynamoDB Local checks conditions first. */
const twoActionsOnOneItem = (tables: Tables): fc.Arbitrary<Operation> =>
  fc.tuple(eitherTable(tables), keyFor(tables.single)).map(([table, { pk: hash }]) => ({
    operation: 'TransactWriteItems',
    input: {
      TransactItems: [
        { Put: { TableName: table.name, Item: { pk: hash, sk: n(1) } } },
        {
          Delete: { TableName: table.name, Key: { pk: hash, ...(table.rangeKey && { sk: n(1) }) } },
        },
      ],
    },
  }));

/** A partition of more than 1 MB, so that Queries and Scans meet the page size limit. */
const bigPartition = (tables: Tables): fc.Arbitrary<Operation> =>
  pk.map((hash) => ({
    operation: 'BatchWriteItem',
    input: {
      RequestItems: {
        [tables.ranged.name]: [1, 2, 3].map((range) => ({
          PutRequest: { Item: { pk: hash, sk: n(range), Payload: PAYLOAD } },
        })),
      },
    },
  }));

export const operations = (tables: Tables): fc.Arbitrary<Operation> =>
  fc.oneof(
    ...[...writes(tables), ...reads(tables)].map((arbitrary) => ({ weight: 4, arbitrary })),
    { weight: 1, arbitrary: twoActionsOnOneItem(tables) },
    { weight: 1, arbitrary: bigPartition(tables) },
  );
