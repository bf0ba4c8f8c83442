import { type AttributeValue, type Item, payloadOf, typeOf } from '../attribute-values';
import { checkNoOverlap } from './document-paths';
import type { ExpressionLabel, ResolvedPath } from './syntax';

/** The paths to keep, as a tree: a leaf (`true`) keeps the whole value under it. */
export type Projection = Map<string | number, Projection | true>;

export const projectionOf = (paths: ResolvedPath[], label: ExpressionLabel): Projection => {
  checkNoOverlap(paths, label);
  const root: Projection = new Map();
  for (const path of paths) {
    let node = root;
    path.forEach((step, i) => {
      if (i === path.length - 1) {
        node.set(step, true);
        return;
      }
      let next = node.get(step);
      if (next === undefined || next === true) {
        next = new Map();
        node.set(step, next);
      }
      node = next;
    });
  }
  return root;
};

const projectValue = (value: AttributeValue, node: Projection): AttributeValue | undefined => {
  const type = typeOf(value);
  if (type === 'M') {
    const map = payloadOf<Item>(value);
    const kept: Item = {};
    let any = false;
    for (const [step, below] of node) {
      const inner = typeof step === 'string' ? map[step] : undefined;
      const projected = inner && (below === true ? inner : projectValue(inner, below));
      if (projected) {
        kept[step as string] = projected;
        any = true;
      }
    }
    return any ? { M: kept } : undefined;
  }
  if (type === 'L') {
    const list = payloadOf<AttributeValue[]>(value);
    // Elements come back in list order, whatever the order of the paths.
    const indexes = [...node.keys()]
      .filter((step) => typeof step === 'number')
      .sort((a, b) => a - b);
    const kept: AttributeValue[] = [];
    for (const index of indexes) {
      const inner = list[index];
      const below = node.get(index) as Projection | true;
      const projected = inner && (below === true ? inner : projectValue(inner, below));
      if (projected) kept.push(projected);
    }
    return kept.length > 0 ? { L: kept } : undefined;
  }
  return undefined;
};

/** The attributes of `item` the projection names, nested paths and list elements included. */
export const project = (item: Item, projection: Projection): Item => {
  const kept: Item = {};
  for (const [step, below] of projection) {
    const value = item[step as string];
    const projected = value && (below === true ? value : projectValue(value, below));
    if (projected) kept[step as string] = projected;
  }
  return kept;
};
