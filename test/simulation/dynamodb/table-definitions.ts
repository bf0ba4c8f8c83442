import type { ScalarTypeName } from './attribute-values';
import { checkTableName } from './database';
import type {
  IndexDefinition,
  KeyAttribute,
  KeySchema,
  StreamViewType,
  TableDefinition,
} from './definitions';
import { validationError } from './errors';

type KeySchemaElement = { AttributeName: string; KeyType: 'HASH' | 'RANGE' };

/** What CreateTable takes, and what CloudFormation's AWS::DynamoDB::Table Properties hold. */
export type TableDeclaration = {
  TableName?: string;
  AttributeDefinitions?: { AttributeName: string; AttributeType: string }[];
  KeySchema?: KeySchemaElement[];
  GlobalSecondaryIndexes?: {
    IndexName: string;
    KeySchema: KeySchemaElement[];
    Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }[];
  LocalSecondaryIndexes?: unknown[];
  StreamSpecification?: { StreamEnabled?: boolean; StreamViewType?: string };
};

const VIEW_TYPES = new Set(['NEW_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY', 'OLD_IMAGE']);
const PROJECTION_TYPES = new Set(['ALL', 'KEYS_ONLY', 'INCLUDE']);

const keySchemaOf = (
  elements: KeySchemaElement[] | undefined,
  types: Map<string, ScalarTypeName>,
  used: Set<string>,
): KeySchema => {
  const [hash, range, ...more] = elements ?? [];
  if (hash?.KeyType !== 'HASH' || (range && range.KeyType !== 'RANGE') || more.length) {
    throw validationError('Invalid KeySchema: a HASH key, then optionally a RANGE key');
  }
  const attribute = (name: string): KeyAttribute => {
    const type = types.get(name);
    if (!type) {
      throw validationError(
        `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${name}]`,
      );
    }
    used.add(name);
    return { name, type };
  };
  return {
    hashKey: attribute(hash.AttributeName),
    ...(range && { rangeKey: attribute(range.AttributeName) }),
  };
};

const streamOf = (specification: TableDeclaration['StreamSpecification']) => {
  // CloudFormation enables a stream by giving its view type; CreateTable says so explicitly.
  if (!specification?.StreamViewType || specification.StreamEnabled === false) return undefined;
  if (!VIEW_TYPES.has(specification.StreamViewType)) {
    throw validationError(`Invalid StreamViewType: ${specification.StreamViewType}`);
  }
  return specification.StreamViewType as StreamViewType;
};

/** A table's definition from its CreateTable input or CloudFormation properties. */
export const tableDefinitionOf = (declaration: TableDeclaration, name: string): TableDefinition => {
  checkTableName(name);
  if (declaration.LocalSecondaryIndexes?.length) {
    throw validationError('Local secondary indexes are not emulated by the simulated DynamoDB');
  }
  const types = new Map<string, ScalarTypeName>();
  for (const { AttributeName, AttributeType } of declaration.AttributeDefinitions ?? []) {
    if (AttributeType !== 'S' && AttributeType !== 'N' && AttributeType !== 'B') {
      throw validationError(`Invalid AttributeType: ${AttributeType}`);
    }
    types.set(AttributeName, AttributeType);
  }
  const used = new Set<string>();
  const key = keySchemaOf(declaration.KeySchema, types, used);
  const indexes = (declaration.GlobalSecondaryIndexes ?? []).map((index): IndexDefinition => {
    checkTableName(index.IndexName);
    const type = index.Projection?.ProjectionType ?? 'KEYS_ONLY';
    if (!PROJECTION_TYPES.has(type)) throw validationError(`Invalid ProjectionType: ${type}`);
    return {
      name: index.IndexName,
      ...keySchemaOf(index.KeySchema, types, used),
      projection: {
        type: type as IndexDefinition['projection']['type'],
        ...(type === 'INCLUDE' && { nonKeyAttributes: index.Projection?.NonKeyAttributes ?? [] }),
      },
    };
  });
  if (used.size !== types.size) {
    throw validationError(
      'One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions',
    );
  }
  const stream = streamOf(declaration.StreamSpecification);
  return {
    name,
    ...key,
    ...(indexes.length > 0 && { indexes }),
    ...(stream && { stream }),
  };
};
