import {
  type AttributeValue,
  elementTypeOf,
  type Item,
  type ScalarTypeName,
  type TypeName,
} from './attribute-values';
import { validationError } from './errors';
import { canonicalNumber } from './numbers';

const TYPE_NAMES = new Set<string>(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

const canonicalBinary = (base64: string) => Buffer.from(base64, 'base64').toString('base64');

const canonicalScalar = (type: ScalarTypeName, payload: string): string =>
  type === 'N' ? canonicalNumber(payload) : type === 'B' ? canonicalBinary(payload) : payload;

const EMPTY_SET_MESSAGE: Record<string, string> = {
  SS: 'One or more parameter values were invalid: An string set  may not be empty',
  NS: 'One or more parameter values were invalid: An number set  may not be empty',
  BS: 'One or more parameter values were invalid: Binary sets should not be empty',
};

const canonicalSet = (type: TypeName, elements: unknown): string[] => {
  const elementType = elementTypeOf(type) as ScalarTypeName;
  if (!Array.isArray(elements)) throw validationError(`${type} must be a list`);
  if (elements.length === 0) throw validationError(EMPTY_SET_MESSAGE[type] as string);
  let changed = false;
  const canonical = elements.map((element: unknown) => {
    if (typeof element !== 'string') throw validationError(`${type} elements must be strings`);
    const form = canonicalScalar(elementType, element);
    changed ||= form !== element;
    return form;
  });
  if (new Set(canonical).size !== canonical.length) {
    throw validationError(`Input collection [${elements.join(', ')}] contains duplicates.`);
  }
  return changed ? canonical : (elements as string[]);
};

/**
 * Checks a value as DynamoDB does on input and answers it in canonical form (numbers
 * normalised), the same object when it already is: stored values are shared, never copied.
 */
export const canonicalValue = (value: unknown): AttributeValue => {
  if (typeof value !== 'object' || value === null) {
    throw validationError(
      'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
    );
  }
  const keys = Object.keys(value);
  const type = keys[0];
  if (keys.length > 1) {
    throw validationError(
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
  }
  if (type === undefined || !TYPE_NAMES.has(type)) {
    throw validationError(
      'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
    );
  }
  const payload = (value as Record<string, unknown>)[type];
  switch (type) {
    case 'S':
    case 'N':
    case 'B': {
      if (typeof payload !== 'string') throw validationError(`${type} must be a string`);
      const form = canonicalScalar(type, payload);
      return form === payload ? (value as AttributeValue) : ({ [type]: form } as AttributeValue);
    }
    case 'SS':
    case 'NS':
    case 'BS': {
      const form = canonicalSet(type, payload);
      return form === payload ? (value as AttributeValue) : ({ [type]: form } as AttributeValue);
    }
    case 'NULL':
      if (payload !== true) {
        throw validationError(
          'One or more parameter values were invalid: Null attribute value types must have the value of true',
        );
      }
      return value as AttributeValue;
    case 'BOOL':
      if (typeof payload !== 'boolean') throw validationError('BOOL must be a boolean');
      return value as AttributeValue;
    case 'L': {
      if (!Array.isArray(payload)) throw validationError('L must be a list');
      let changed = false;
      const elements = payload.map((element: unknown) => {
        const form = canonicalValue(element);
        changed ||= form !== element;
        return form;
      });
      return changed ? { L: elements } : (value as AttributeValue);
    }
    default: {
      const map = canonicalItem(payload);
      return map === payload ? (value as AttributeValue) : { M: map };
    }
  }
};

/** Every attribute of an item (or a map) checked and in canonical form; see canonicalValue. */
export const canonicalItem = (item: unknown): Item => {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw validationError('An item must be a map of attribute values');
  }
  let changed: Item | undefined;
  for (const [name, value] of Object.entries(item)) {
    const form = canonicalValue(value);
    if (form !== value) {
      changed ??= { ...(item as Item) };
      changed[name] = form;
    }
  }
  return changed ?? (item as Item);
};
