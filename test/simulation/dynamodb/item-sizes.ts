import {
  type AttributeValue,
  elementTypeOf,
  type Item,
  payloadOf,
  type ScalarTypeName,
  typeOf,
} from './attribute-values';
import { numberSize } from './numbers';

export const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

const binaryLength = (base64: string) => {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length * 3) / 4 - padding;
};

const scalarSize = (type: ScalarTypeName, payload: string) =>
  type === 'S' ? utf8Length(payload) : type === 'N' ? numberSize(payload) : binaryLength(payload);

/**
 * A value's size as DynamoDB counts it against the 400 KB item and 1 MB page limits: lists and
 * maps cost 3 bytes plus 1 per element (measured against DynamoDB Local).
 */
export const valueSize = (value: AttributeValue): number => {
  const type = typeOf(value);
  switch (type) {
    case 'S':
    case 'N':
    case 'B':
      return scalarSize(type, payloadOf(value));
    case 'SS':
    case 'NS':
    case 'BS': {
      const elementType = elementTypeOf(type) as ScalarTypeName;
      return payloadOf<string[]>(value).reduce((sum, e) => sum + scalarSize(elementType, e), 0);
    }
    case 'NULL':
    case 'BOOL':
      return 1;
    case 'L':
      return payloadOf<AttributeValue[]>(value).reduce((sum, e) => sum + valueSize(e) + 1, 3);
    default: {
      let size = 3;
      for (const [name, element] of Object.entries(payloadOf<Item>(value))) {
        size += utf8Length(name) + valueSize(element) + 1;
      }
      return size;
    }
  }
};

export const itemSize = (item: Item): number => {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8Length(name) + valueSize(value);
  return size;
};

export const MAX_ITEM_SIZE = 400 * 1024;
