import { compareNumbers } from './numbers';

/** DynamoDB JSON as the wire carries it: binaries are base64 text. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: Item }
  | { L: AttributeValue[] }
  | { NULL: true }
  | { BOOL: boolean };

export type Item = Record<string, AttributeValue>;

export type TypeName = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';

export type ScalarTypeName = 'S' | 'N' | 'B';

/** The value's type: its one key. */
export const typeOf = (value: AttributeValue): TypeName => {
  for (const key in value) return key as TypeName;
  throw new Error('an attribute value without a type');
};

/** The payload of a value whose type is known. */
export const payloadOf = <T>(value: AttributeValue): T =>
  (value as unknown as Record<string, T>)[typeOf(value)] as T;

const SET_ELEMENT: Record<string, ScalarTypeName> = { SS: 'S', NS: 'N', BS: 'B' };

/** The element type of a set type (`SS` -> `S`), undefined for other types. */
export const elementTypeOf = (type: TypeName): ScalarTypeName | undefined => SET_ELEMENT[type];

/**
 * Strings compare by their UTF-8 bytes, which is code point order: UTF-16 units compare the
 * same way except that surrogates (code points past U+FFFF) sort after U+E000-U+FFFF.
 */
export const compareStrings = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const rankX = x >= 0xd800 && x <= 0xdfff ? x + 0x10000 : x;
      const rankY = y >= 0xd800 && y <= 0xdfff ? y + 0x10000 : y;
      return rankX - rankY;
    }
  }
  return a.length - b.length;
};

export const compareBinaries = (a: string, b: string): number =>
  a === b ? 0 : Buffer.compare(Buffer.from(a, 'base64'), Buffer.from(b, 'base64'));

/** Orders two canonical scalars of one type, as DynamoDB orders keys. */
export const compareScalars = (type: ScalarTypeName, a: string, b: string): number =>
  type === 'N' ? compareNumbers(a, b) : type === 'S' ? compareStrings(a, b) : compareBinaries(a, b);

/** Equality of canonical values: sets regardless of order, lists in order, maps by key. */
export const equalValues = (a: AttributeValue, b: AttributeValue): boolean => {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  switch (type) {
    case 'S':
    case 'N':
    case 'B':
    case 'BOOL':
    case 'NULL':
      return payloadOf(a) === payloadOf(b);
    case 'SS':
    case 'NS':
    case 'BS': {
      const x = payloadOf<string[]>(a);
      const y = new Set(payloadOf<string[]>(b));
      return x.length === y.size && x.every((element) => y.has(element));
    }
    case 'L': {
      const x = payloadOf<AttributeValue[]>(a);
      const y = payloadOf<AttributeValue[]>(b);
      return (
        x.length === y.length &&
        x.every((element, i) => equalValues(element, y[i] as AttributeValue))
      );
    }
    default:
      return equalItems(payloadOf<Item>(a), payloadOf<Item>(b));
  }
};

export const equalItems = (a: Item, b: Item): boolean => {
  if (a === b) return true;
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => {
    const other = b[name];
    return other !== undefined && equalValues(a[name] as AttributeValue, other);
  });
};
