import { type AttributeValue, type Item, payloadOf, typeOf } from '../attribute-values';
import { validationError } from '../errors';
import type { Substitutions } from './substitutions';
import type { DocumentPath, ExpressionLabel, ResolvedPath } from './syntax';

export const resolvePath = (path: DocumentPath, substitutions: Substitutions): ResolvedPath =>
  path.map((element) =>
    element.kind === 'index'
      ? element.index
      : element.kind === 'attribute'
        ? element.name
        : substitutions.name(element.name),
  );

const child = (value: AttributeValue, step: string | number): AttributeValue | undefined => {
  if (typeof step === 'number') {
    return typeOf(value) === 'L' ? payloadOf<AttributeValue[]>(value)[step] : undefined;
  }
  return typeOf(value) === 'M' ? payloadOf<Item>(value)[step] : undefined;
};

/** The value at a path, undefined if any step is missing or of another type. */
export const valueAt = (item: Item | undefined, path: ResolvedPath): AttributeValue | undefined => {
  let value = item?.[path[0] as string];
  for (let i = 1; value !== undefined && i < path.length; i++) {
    value = child(value, path[i] as string | number);
  }
  return value;
};

const invalidForUpdate = () =>
  validationError('The document path provided in the update expression is invalid for update');

/** A copy of `container` (a map's or list's value) with `step` changed by `change`. */
const changed = (
  container: AttributeValue,
  step: string | number,
  change: (current: AttributeValue | undefined) => AttributeValue | undefined,
): AttributeValue => {
  if (typeof step === 'number') {
    if (typeOf(container) !== 'L') throw invalidForUpdate();
    const list = [...payloadOf<AttributeValue[]>(container)];
    const next = change(list[step]);
    if (next === undefined) list.splice(step, 1);
    // Past the end of a list, SET appends.
    else if (step >= list.length) list.push(next);
    else list[step] = next;
    return { L: list };
  }
  if (typeOf(container) !== 'M') throw invalidForUpdate();
  const map = { ...payloadOf<Item>(container) };
  const next = change(map[step]);
  if (next === undefined) delete map[step];
  else map[step] = next;
  return { M: map };
};

/**
 * An item with the value at `path` replaced by `change(current)` (removed when undefined),
 * copying only the containers along the path: stored items are shared and never mutated.
 */
export const withChangeAt = (
  item: Item,
  path: ResolvedPath,
  change: (current: AttributeValue | undefined) => AttributeValue | undefined,
): Item => {
  const [first, ...rest] = path as [string, ...(string | number)[]];
  const descend = (
    value: AttributeValue | undefined,
    steps: (string | number)[],
  ): AttributeValue | undefined => {
    if (steps.length === 0) return change(value);
    if (value === undefined) throw invalidForUpdate();
    const [step, ...deeper] = steps as [string | number, ...(string | number)[]];
    return changed(value, step, (inner) => descend(inner, deeper));
  };
  const next = descend(item[first], rest);
  const copy = { ...item };
  if (next === undefined) delete copy[first];
  else copy[first] = next;
  return copy;
};

/** How DynamoDB shows a path in its messages: `[a, b, [2]]`. */
export const describePath = (path: ResolvedPath) =>
  `[${path.map((step) => (typeof step === 'number' ? `[${step}]` : step)).join(', ')}]`;

const isPrefix = (shorter: ResolvedPath, longer: ResolvedPath) =>
  shorter.length <= longer.length && shorter.every((step, i) => step === longer[i]);

/** Two paths of one expression may not be equal, nor one inside the other. */
export const checkNoOverlap = (paths: ResolvedPath[], label: ExpressionLabel) => {
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      const a = paths[i] as ResolvedPath;
      const b = paths[j] as ResolvedPath;
      const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
      if (isPrefix(shorter, longer)) {
        throw validationError(
          `Invalid ${label}: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${describePath(shorter)}, path two: ${describePath(longer)}`,
        );
      }
    }
  }
};
