import {
  type AttributeValue,
  compareScalars,
  elementTypeOf,
  equalValues,
  type Item,
  payloadOf,
  type ScalarTypeName,
  typeOf,
} from '../attribute-values';
import { SCALARS } from './binding';
import { valueAt } from './document-paths';
import type { BoundCondition, BoundOperand, ResolvedPath } from './syntax';

/** Characters as Java counts them (UTF-16 units), as DynamoDB's `size` does for strings. */
const sizeOf = (value: AttributeValue | undefined): AttributeValue | undefined => {
  if (value === undefined) return undefined;
  const type = typeOf(value);
  switch (type) {
    case 'S':
      return { N: String(payloadOf<string>(value).length) };
    case 'B':
      return { N: String(Buffer.from(payloadOf<string>(value), 'base64').length) };
    case 'SS':
    case 'NS':
    case 'BS':
    case 'L':
      return { N: String(payloadOf<unknown[]>(value).length) };
    case 'M':
      return { N: String(Object.keys(payloadOf<Item>(value)).length) };
    default:
      return undefined;
  }
};

/** A condition operand's value in an item; undefined when the path leads nowhere. */
export const conditionOperand = (
  operand: BoundOperand,
  item: Item | undefined,
): AttributeValue | undefined => {
  switch (operand.kind) {
    case 'path':
      return valueAt(item, operand.path);
    case 'value':
      return operand.value;
    case 'size':
      return sizeOf(conditionOperand(operand.operand, item));
    default:
      throw new Error(`${operand.kind} is not a condition operand`);
  }
};

/** Both defined, of one scalar type: the order between them; otherwise no order at all. */
const order = (a: AttributeValue | undefined, b: AttributeValue | undefined) => {
  if (a === undefined || b === undefined) return undefined;
  const type = typeOf(a);
  if (type !== typeOf(b) || !SCALARS.has(type)) return undefined;
  return compareScalars(type as ScalarTypeName, payloadOf(a), payloadOf(b));
};

const equal = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
  a !== undefined && b !== undefined && equalValues(a, b);

export const beginsWith = (
  value: AttributeValue | undefined,
  prefix: AttributeValue | undefined,
) => {
  if (value === undefined || prefix === undefined) return false;
  const type = typeOf(value);
  if (type !== typeOf(prefix)) return false;
  if (type === 'S') return payloadOf<string>(value).startsWith(payloadOf<string>(prefix));
  if (type !== 'B') return false;
  const bytes = Buffer.from(payloadOf<string>(value), 'base64');
  const start = Buffer.from(payloadOf<string>(prefix), 'base64');
  return bytes.subarray(0, start.length).equals(start);
};

const contains = (value: AttributeValue | undefined, operand: AttributeValue | undefined) => {
  if (value === undefined || operand === undefined) return false;
  const type = typeOf(value);
  if (type === 'S') {
    return typeOf(operand) === 'S' && payloadOf<string>(value).includes(payloadOf(operand));
  }
  if (type === 'L') return payloadOf<AttributeValue[]>(value).some((e) => equalValues(e, operand));
  const elementType = elementTypeOf(type);
  return (
    elementType !== undefined &&
    typeOf(operand) === elementType &&
    payloadOf<string[]>(value).includes(payloadOf(operand))
  );
};

const satisfies = (
  comparator: string,
  a: AttributeValue | undefined,
  b: AttributeValue | undefined,
): boolean => {
  switch (comparator) {
    case '=':
      return equal(a, b);
    // A missing attribute is "not equal" to anything (DynamoDB Local agrees).
    case '<>':
      return !equal(a, b);
    default: {
      const sign = order(a, b);
      if (sign === undefined) return false;
      if (comparator === '<') return sign < 0;
      if (comparator === '<=') return sign <= 0;
      if (comparator === '>') return sign > 0;
      return sign >= 0;
    }
  }
};

/** Whether an item (undefined: no item) satisfies a bound condition. */
export const evaluate = (condition: BoundCondition, item: Item | undefined): boolean => {
  switch (condition.kind) {
    case 'and':
      return evaluate(condition.left, item) && evaluate(condition.right, item);
    case 'or':
      return evaluate(condition.left, item) || evaluate(condition.right, item);
    case 'not':
      return !evaluate(condition.condition, item);
    case 'comparison':
      return satisfies(
        condition.comparator,
        conditionOperand(condition.left, item),
        conditionOperand(condition.right, item),
      );
    case 'between': {
      const subject = conditionOperand(condition.subject, item);
      const low = order(conditionOperand(condition.lower, item), subject);
      const high = order(subject, conditionOperand(condition.upper, item));
      return low !== undefined && high !== undefined && low <= 0 && high <= 0;
    }
    case 'in': {
      const subject = conditionOperand(condition.subject, item);
      return condition.candidates.some((c) => equal(subject, conditionOperand(c, item)));
    }
    case 'function': {
      const [first, second] = condition.args.map((operand) => conditionOperand(operand, item));
      switch (condition.name) {
        case 'attribute_exists':
          return first !== undefined;
        case 'attribute_not_exists':
          return first === undefined;
        case 'attribute_type':
          return first !== undefined && second !== undefined && typeOf(first) === payloadOf(second);
        case 'begins_with':
          return beginsWith(first, second);
        case 'contains':
          return contains(first, second);
      }
    }
  }
};

/** Every path a condition reads (Query refuses filters on the key attributes). */
export const pathsOf = (condition: BoundCondition): ResolvedPath[] => {
  const fromOperand = (operand: BoundOperand): ResolvedPath[] =>
    operand.kind === 'path'
      ? [operand.path]
      : operand.kind === 'size'
        ? fromOperand(operand.operand)
        : [];
  switch (condition.kind) {
    case 'and':
    case 'or':
      return [...pathsOf(condition.left), ...pathsOf(condition.right)];
    case 'not':
      return pathsOf(condition.condition);
    case 'comparison':
      return [...fromOperand(condition.left), ...fromOperand(condition.right)];
    case 'between':
      return [condition.subject, condition.lower, condition.upper].flatMap(fromOperand);
    case 'in':
      return [condition.subject, ...condition.candidates].flatMap(fromOperand);
    case 'function':
      return condition.args.flatMap(fromOperand);
  }
};
