import {
  type AttributeValue,
  compareScalars,
  type Item,
  payloadOf,
  typeOf,
} from './attribute-values';
import { canonicalValue } from './canonical-values';
import {
  type IndexDefinition,
  type KeyAttribute,
  type KeySchema,
  keyAttributesOf,
} from './definitions';
import { ItemValidationError, validationError } from './errors';
import { utf8Length } from './item-sizes';

/** A key value's text (a canonical string, number or base64 binary): its identity in a map. */
export const keyText = (value: AttributeValue): string => payloadOf<string>(value);

const MAX_KEY_BYTES = { hash: 2048, range: 1024 };

const emptyKeyMessage = (name: string, value: AttributeValue) =>
  `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${typeOf(value) === 'B' ? 'binary' : 'string'} value. Key: ${name}`;

const checkKeySize = (attribute: KeyAttribute, value: AttributeValue, schema: KeySchema) => {
  const isHash = attribute === schema.hashKey;
  const limit = isHash ? MAX_KEY_BYTES.hash : MAX_KEY_BYTES.range;
  const text = keyText(value);
  const bytes = typeOf(value) === 'B' ? Buffer.from(text, 'base64').length : utf8Length(text);
  if (bytes > limit) {
    throw validationError(
      `One or more parameter values were invalid: Size of ${isHash ? 'hashkey' : 'rangekey'} has exceeded the maximum size limit of${limit} bytes`,
    );
  }
};

/** A `Key` parameter: exactly the key attributes, of the key's types, none empty. */
export const checkKey = (key: unknown, schema: KeySchema): Item => {
  if (typeof key !== 'object' || key === null) {
    throw validationError('One of the required keys was not given a value');
  }
  const attributes = keyAttributesOf(schema);
  const given = key as Record<string, unknown>;
  const checked: Item = {};
  for (const attribute of attributes) {
    const raw = given[attribute.name];
    if (raw === undefined) throw validationError('One of the required keys was not given a value');
    const value = canonicalValue(raw);
    if (typeOf(value) !== attribute.type) {
      throw new ItemValidationError('The provided key element does not match the schema');
    }
    if (keyText(value) === '') throw validationError(emptyKeyMessage(attribute.name, value));
    checkKeySize(attribute, value, schema);
    checked[attribute.name] = value;
  }
  if (Object.keys(given).length !== attributes.length) {
    throw validationError('The number of conditions on the keys is invalid');
  }
  return checked;
};

/** An item's own key attributes: present, of the key's types, not empty. */
export const checkItemKey = (item: Item, schema: KeySchema): void => {
  for (const attribute of keyAttributesOf(schema)) {
    const value = item[attribute.name];
    if (value === undefined) {
      throw validationError(
        `One or more parameter values were invalid: Missing the key ${attribute.name} in the item`,
      );
    }
    if (typeOf(value) !== attribute.type) {
      throw validationError(
        `One or more parameter values were invalid: Type mismatch for key ${attribute.name} expected: ${attribute.type} actual: ${typeOf(value)}`,
      );
    }
    if (keyText(value) === '') throw validationError(emptyKeyMessage(attribute.name, value));
    checkKeySize(attribute, value, schema);
  }
};

/** Index key attributes are optional (sparse indexes), but when present of the index's types. */
export const checkIndexKeys = (item: Item, index: IndexDefinition): void => {
  for (const attribute of keyAttributesOf(index)) {
    const value = item[attribute.name];
    if (value === undefined) continue;
    if (typeOf(value) !== attribute.type) {
      throw validationError(
        `One or more parameter values were invalid: Type mismatch for Index Key ${attribute.name} Expected: ${attribute.type} Actual: ${typeOf(value)} IndexName: ${index.name}`,
      );
    }
    if (keyText(value) === '') {
      throw validationError(
        `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${attribute.type === 'B' ? 'binary' : 'string'} value. IndexName: ${index.name}, IndexKey: ${attribute.name}`,
      );
    }
  }
};

/** The key attributes of an item (or of several schemas' keys, e.g. a table's and an index's). */
export const keyOf = (item: Item, ...schemas: KeySchema[]): Item => {
  const key: Item = {};
  for (const schema of schemas) {
    for (const { name } of keyAttributesOf(schema)) {
      const value = item[name];
      if (value !== undefined) key[name] = value;
    }
  }
  return key;
};

/** Whether an item carries every key attribute of the schema (sparse indexes leave it out). */
export const hasKey = (item: Item, schema: KeySchema): boolean =>
  keyAttributesOf(schema).every(({ name }) => item[name] !== undefined);

/** Orders key tuples component by component; every component is of its attribute's type. */
export const compareKeyTuples = (
  types: readonly KeyAttribute['type'][],
  a: readonly AttributeValue[],
  b: readonly AttributeValue[],
): number => {
  for (let i = 0; i < types.length; i++) {
    const order = compareScalars(
      types[i] as KeyAttribute['type'],
      keyText(a[i] as AttributeValue),
      keyText(b[i] as AttributeValue),
    );
    if (order !== 0) return order;
  }
  return 0;
};
