import type { AttributeValue, Item } from '../attribute-values';
import {
  type IndexDefinition,
  type KeyAttribute,
  type KeySchema,
  keyAttributesOf,
} from '../definitions';
import { validationError } from '../errors';
import { checkKey, keyOf } from '../keys';
import type { SecondaryIndex, Table } from '../storage/table';
import type { VersionedStore } from '../storage/versioned-store';

/** What a Query or a Scan reads: a table, or one of its global secondary indexes. */
export type ReadSource = {
  store: VersionedStore;
  /** The source's own key: the index's for an index. */
  key: KeySchema;
  index?: IndexDefinition;
  /** Where an item sits in its partition (for an index: its range key, then the table's key). */
  sortKeyOf(item: Item): AttributeValue[];
  /** LastEvaluatedKey: the table's key, and for an index the index's key as well. */
  lastKeyOf(item: Item): Item;
  /** Whether the source's items hold an attribute (an index may project only some). */
  projects(name: string): boolean;
};

const tableSource = (table: Table): ReadSource => ({
  store: table.store,
  key: table.definition,
  sortKeyOf: (item) => table.sortKeyOf(item),
  lastKeyOf: (item) => table.keyOf(item),
  projects: () => true,
});

const indexSource = (table: Table, secondary: SecondaryIndex): ReadSource => ({
  store: secondary.store,
  key: secondary.definition,
  index: secondary.definition,
  sortKeyOf: (item) => secondary.sortKeyOf(item),
  lastKeyOf: (item) => keyOf(item, table.definition, secondary.definition),
  projects: (name) => secondary.projects(name),
});

/**
 * An index read may only name attributes the index holds: in its projection, and for a Query in
 * its filter as well (DynamoDB Local lets a Scan's filter name others).
 */
export const checkProjected = (
  source: ReadSource,
  names: Iterable<string | number>,
  message: (missing: string) => string,
) => {
  const missing = [...new Set(names)].filter((name) => !source.projects(name as string));
  if (missing.length > 0) {
    throw validationError(
      `One or more parameter values were invalid: ${message(missing.join(', '))}`,
    );
  }
};

export const readSource = (table: Table, indexName: string | undefined): ReadSource => {
  if (indexName === undefined) return tableSource(table);
  const secondary = table.indexes.get(indexName);
  if (!secondary) {
    throw validationError(`The table does not have the specified index: ${indexName}`);
  }
  return indexSource(table, secondary);
};

/** An ExclusiveStartKey: the table's key, plus the index's key when reading an index. */
export const startKeyOf = (
  table: Table,
  source: ReadSource,
  key: unknown,
): { hash: AttributeValue; sortKey: AttributeValue[] } | undefined => {
  if (key === undefined) return undefined;
  const schemas: KeySchema[] = source.index ? [table.definition, source.index] : [table.definition];
  const attributes = new Map<string, KeyAttribute>();
  for (const schema of schemas) {
    for (const attribute of keyAttributesOf(schema)) attributes.set(attribute.name, attribute);
  }
  const given = key as Record<string, unknown>;
  if (Object.keys(given).length !== attributes.size) {
    throw validationError(
      'The provided starting key is invalid: The provided key element does not match the schema',
    );
  }
  const checked: Item = {};
  for (const schema of schemas) {
    try {
      Object.assign(checked, checkKey(keyOf(given as Item, schema), schema));
    } catch {
      throw validationError(
        'The provided starting key is invalid: The provided key element does not match the schema',
      );
    }
  }
  return {
    hash: checked[source.key.hashKey.name] as AttributeValue,
    sortKey: source.sortKeyOf(checked),
  };
};
