import type { Database } from '../database';
import { type KeySchema, keyAttributesOf } from '../definitions';
import { validationError } from '../errors';
import type { Table } from '../storage/table';
import { type TableDeclaration, tableDefinitionOf } from '../table-definitions';

const keySchema = ({ hashKey, rangeKey }: KeySchema) => [
  { AttributeName: hashKey.name, KeyType: 'HASH' },
  ...(rangeKey ? [{ AttributeName: rangeKey.name, KeyType: 'RANGE' }] : []),
];

/** The table as DescribeTable shows it; the emulator's tables are ACTIVE from their creation. */
const describe = (table: Table, status = 'ACTIVE') => {
  const { definition, stream } = table;
  const attributes = new Map<string, string>();
  for (const schema of [definition, ...(definition.indexes ?? [])]) {
    for (const { name, type } of keyAttributesOf(schema)) attributes.set(name, type);
  }
  return {
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    TableName: definition.name,
    KeySchema: keySchema(definition),
    TableStatus: status,
    CreationDateTime: table.createdAt / 1000,
    ProvisionedThroughput: {
      NumberOfDecreasesToday: 0,
      ReadCapacityUnits: 0,
      WriteCapacityUnits: 0,
    },
    TableSizeBytes: table.sizeBytes,
    ItemCount: table.itemCount,
    TableArn: table.arn,
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    ...(definition.indexes && {
      GlobalSecondaryIndexes: [...table.indexes.values()].map(({ definition: index }) => ({
        IndexName: index.name,
        KeySchema: keySchema(index),
        Projection: {
          ProjectionType: index.projection.type,
          ...(index.projection.nonKeyAttributes && {
            NonKeyAttributes: index.projection.nonKeyAttributes,
          }),
        },
        IndexStatus: 'ACTIVE',
        IndexArn: `${table.arn}/index/${index.name}`,
      })),
    }),
    ...(stream && {
      StreamSpecification: { StreamEnabled: true, StreamViewType: stream.viewType },
      LatestStreamArn: stream.arn,
      LatestStreamLabel: stream.arn.slice(stream.arn.lastIndexOf('/') + 1),
    }),
    DeletionProtectionEnabled: false,
  };
};

export const createTable = (db: Database, input: TableDeclaration) => {
  const table = db.createTable(tableDefinitionOf(input, input.TableName as string));
  return { TableDescription: describe(table) };
};

export const deleteTable = (db: Database, input: { TableName: string }) => {
  const table = db.table(input.TableName);
  db.tables.delete(table.name);
  return { TableDescription: describe(table, 'DELETING') };
};

export const describeTable = (db: Database, input: { TableName: string }) => ({
  Table: describe(db.table(input.TableName)),
});

export const listTables = (
  db: Database,
  input: { ExclusiveStartTableName?: string; Limit?: number },
) => {
  const limit = input.Limit ?? 100;
  if (limit < 1 || limit > 100) {
    throw validationError(
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`,
    );
  }
  const names = [...db.tables.keys()]
    .sort()
    .filter(
      (name) => input.ExclusiveStartTableName === undefined || name > input.ExclusiveStartTableName,
    );
  const page = names.slice(0, limit);
  return {
    TableNames: page,
    ...(names.length > limit && { LastEvaluatedTableName: page[page.length - 1] }),
  };
};
