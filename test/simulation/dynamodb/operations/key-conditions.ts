import { type AttributeValue, typeOf } from '../attribute-values';
import type { KeySchema } from '../definitions';
import { validationError } from '../errors';
import type { BoundCondition, BoundOperand, Comparator } from '../expressions/syntax';

type Bound = { value: AttributeValue; inclusive: boolean };

/** A Query's key condition: one partition, and optionally a range of sort keys in it. */
export type KeyCondition = {
  hash: AttributeValue;
  lower?: Bound;
  upper?: Bound;
  prefix?: AttributeValue;
  /** `sk = v`: both bounds, but not a range with an end (see endsRange). */
  exact?: boolean;
};

const invalid = (message: string) => validationError(`Invalid KeyConditionExpression: ${message}`);

const FLIPPED: Record<string, Comparator> = {
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
  '=': '=',
};

type Part = { name: string; comparator: string; values: AttributeValue[] };

const nameOf = (operand: BoundOperand | undefined): string | undefined =>
  operand?.kind === 'path' && operand.path.length === 1 ? (operand.path[0] as string) : undefined;

const givenValue = (operand: BoundOperand | undefined): AttributeValue => {
  if (operand?.kind !== 'value')
    throw invalid('Key conditions compare a key attribute with a value');
  return operand.value;
};

/** One `key <op> value`, `key BETWEEN a AND b` or `begins_with(key, prefix)`. */
const partOf = (condition: BoundCondition): Part => {
  switch (condition.kind) {
    case 'comparison': {
      if (condition.comparator === '<>') {
        throw validationError('Invalid operator used in KeyConditionExpression: <>');
      }
      const leftName = nameOf(condition.left);
      if (leftName !== undefined) {
        return {
          name: leftName,
          comparator: condition.comparator,
          values: [givenValue(condition.right)],
        };
      }
      const rightName = nameOf(condition.right);
      if (rightName === undefined) throw invalid('A key condition must name a key attribute');
      return {
        name: rightName,
        comparator: FLIPPED[condition.comparator] as Comparator,
        values: [givenValue(condition.left)],
      };
    }
    case 'between': {
      const name = nameOf(condition.subject);
      if (name === undefined) throw invalid('A key condition must name a key attribute');
      return {
        name,
        comparator: 'BETWEEN',
        values: [givenValue(condition.lower), givenValue(condition.upper)],
      };
    }
    case 'function': {
      const name = nameOf(condition.args[0]);
      if (condition.name !== 'begins_with' || name === undefined) {
        throw validationError(`Invalid operator used in KeyConditionExpression: ${condition.name}`);
      }
      return { name, comparator: 'begins_with', values: [givenValue(condition.args[1])] };
    }
    default:
      throw validationError(
        `Invalid operator used in KeyConditionExpression: ${condition.kind.toUpperCase()}`,
      );
  }
};

const partsOf = (condition: BoundCondition): Part[] =>
  condition.kind === 'and'
    ? [...partsOf(condition.left), ...partsOf(condition.right)]
    : [partOf(condition)];

/** Checks a Query's key condition against the key of what it reads, as DynamoDB does. */
export const keyConditionOf = (condition: BoundCondition, key: KeySchema): KeyCondition => {
  const parts = partsOf(condition);
  if (parts.length > 2) throw validationError('Conditions can be of length 1 or 2 only');
  const hashPart = parts.find((part) => part.name === key.hashKey.name);
  const rangePart = parts.find((part) => part !== hashPart);
  if (hashPart?.comparator !== '=') {
    throw validationError('Query condition missed key schema element');
  }
  if (rangePart && rangePart.name !== key.rangeKey?.name) {
    throw validationError('Query condition missed key schema element');
  }
  for (const part of parts) {
    const type = part === hashPart ? key.hashKey.type : key.rangeKey?.type;
    if (part.values.some((value) => typeOf(value) !== type)) {
      throw validationError(
        'One or more parameter values were invalid: Condition parameter type does not match schema type',
      );
    }
  }
  const hash = hashPart.values[0] as AttributeValue;
  if (!rangePart) return { hash };
  const [first, second] = rangePart.values as [AttributeValue, AttributeValue];
  switch (rangePart.comparator) {
    case '=':
      return {
        hash,
        lower: { value: first, inclusive: true },
        upper: { value: first, inclusive: true },
        exact: true,
      };
    case '<':
    case '<=':
      return { hash, upper: { value: first, inclusive: rangePart.comparator === '<=' } };
    case '>':
    case '>=':
      return { hash, lower: { value: first, inclusive: rangePart.comparator === '>=' } };
    case 'BETWEEN':
      return {
        hash,
        lower: { value: first, inclusive: true },
        upper: { value: second, inclusive: true },
      };
    default:
      return { hash, prefix: first };
  }
};
