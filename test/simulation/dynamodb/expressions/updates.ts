import {
  type AttributeValue,
  elementTypeOf,
  type Item,
  payloadOf,
  type TypeName,
  typeOf,
} from '../attribute-values';
import { validationError } from '../errors';
import { addNumbers } from '../numbers';
import { bindOperand } from './binding';
import { checkNoOverlap, resolvePath, valueAt, withChangeAt } from './document-paths';
import type { Substitutions } from './substitutions';
import type { BoundOperand, BoundUpdateAction, ResolvedPath, UpdateAction } from './syntax';

const ADDABLE = new Set<TypeName>(['N', 'SS', 'NS', 'BS']);
const DELETABLE = new Set<TypeName>(['SS', 'NS', 'BS']);
const TYPE_WORDS: Partial<Record<TypeName, string>> = {
  S: 'STRING',
  N: 'NUMBER',
  B: 'BINARY',
  SS: 'STRING_SET',
  NS: 'NUMBER_SET',
  BS: 'BINARY_SET',
  L: 'LIST',
  M: 'MAP',
};

const wrongType = () =>
  validationError('An operand in the update expression has an incorrect data type');

const invalid = (message: string) => validationError(`Invalid UpdateExpression: ${message}`);

/**
 * Resolves an update's names and values and checks it as DynamoDB does before reading the item:
 * no two paths overlapping, ADD and DELETE given values they accept.
 */
export const bindUpdate = (
  actions: UpdateAction[],
  substitutions: Substitutions,
): BoundUpdateAction[] => {
  const bound = actions.map((action): BoundUpdateAction => {
    const path = resolvePath(action.path, substitutions);
    switch (action.kind) {
      case 'REMOVE':
        return { kind: 'REMOVE', path };
      case 'SET':
        return { kind: 'SET', path, value: bindOperand(action.value, substitutions) };
      default: {
        const value = substitutions.value(action.value);
        const type = typeOf(value);
        if (!(action.kind === 'ADD' ? ADDABLE : DELETABLE).has(type)) {
          throw invalid(
            `Incorrect operand type for operator or function; operator: ${action.kind}, operand type: ${TYPE_WORDS[type] ?? type}`,
          );
        }
        return { kind: action.kind, path, value };
      }
    }
  });
  checkNoOverlap(
    bound.map((action) => action.path),
    'UpdateExpression',
  );
  return bound;
};

/** Every right-hand side reads the item as it was before the update. */
const evaluate = (operand: BoundOperand, item: Item | undefined): AttributeValue => {
  switch (operand.kind) {
    case 'path': {
      const value = valueAt(item, operand.path);
      if (value === undefined) {
        throw validationError(
          'The provided expression refers to an attribute that does not exist in the item',
        );
      }
      return value;
    }
    case 'value':
      return operand.value;
    case 'if_not_exists':
      return valueAt(item, operand.path) ?? evaluate(operand.fallback, item);
    case 'list_append': {
      const first = evaluate(operand.first, item);
      const second = evaluate(operand.second, item);
      if (typeOf(first) !== 'L' || typeOf(second) !== 'L') throw wrongType();
      return { L: [...payloadOf<AttributeValue[]>(first), ...payloadOf<AttributeValue[]>(second)] };
    }
    case 'arithmetic': {
      const left = evaluate(operand.left, item);
      const right = evaluate(operand.right, item);
      if (typeOf(left) !== 'N' || typeOf(right) !== 'N') throw wrongType();
      return { N: addNumbers(payloadOf(left), payloadOf(right), operand.operator === '-') };
    }
    case 'size':
      throw new Error('size is not an update operand');
  }
};

const add = (current: AttributeValue | undefined, value: AttributeValue): AttributeValue => {
  if (current === undefined) return value;
  const type = typeOf(value);
  if (typeOf(current) !== type) throw wrongType();
  if (type === 'N') return { N: addNumbers(payloadOf(current), payloadOf(value)) };
  const elements = payloadOf<string[]>(current);
  const added = payloadOf<string[]>(value).filter((element) => !elements.includes(element));
  return { [type]: [...elements, ...added] } as AttributeValue;
};

const remove = (current: AttributeValue | undefined, value: AttributeValue) => {
  if (current === undefined) return undefined;
  const type = typeOf(value);
  if (typeOf(current) !== type || elementTypeOf(type) === undefined) throw wrongType();
  const removed = new Set(payloadOf<string[]>(value));
  const kept = payloadOf<string[]>(current).filter((element) => !removed.has(element));
  // A set left empty is no set: the attribute goes.
  return kept.length > 0 ? ({ [type]: kept } as AttributeValue) : undefined;
};

/** List elements removed from the highest index down, so that each index means the original. */
const removalOrder = (a: ResolvedPath, b: ResolvedPath) => {
  const lastA = a[a.length - 1];
  const lastB = b[b.length - 1];
  return typeof lastA === 'number' && typeof lastB === 'number' ? lastB - lastA : 0;
};

/**
 * The item an update leaves, from the item it found (`old`, undefined if none) and the item it
 * starts from (`old`, or the bare key when the update creates the item).
 */
export const applyUpdate = (
  actions: BoundUpdateAction[],
  old: Item | undefined,
  start: Item,
  keyNames: readonly string[],
): Item => {
  // Checked once the condition held, as DynamoDB does: a key update is an item's error.
  const onKey = actions.find((action) => keyNames.includes(action.path[0] as string));
  if (onKey) {
    throw validationError(
      `One or more parameter values were invalid: Cannot update attribute ${onKey.path[0]}. This attribute is part of the key`,
    );
  }
  const sets = actions
    .filter((action) => action.kind === 'SET')
    .map((action) => ({ path: action.path, value: evaluate(action.value, old) }));
  let item = start;
  for (const { path, value } of sets) item = withChangeAt(item, path, () => value);
  const removals = actions
    .filter((action) => action.kind === 'REMOVE')
    .map((action) => action.path)
    .sort(removalOrder);
  for (const path of removals) item = withChangeAt(item, path, () => undefined);
  for (const action of actions) {
    if (action.kind === 'ADD') item = withChangeAt(item, action.path, (c) => add(c, action.value));
    if (action.kind === 'DELETE') {
      item = withChangeAt(item, action.path, (c) => remove(c, action.value));
    }
  }
  return item;
};

/** The paths an update writes, for ReturnValues UPDATED_OLD and UPDATED_NEW. */
export const updatedPaths = (actions: BoundUpdateAction[]): ResolvedPath[] =>
  actions.map((action) => action.path);
