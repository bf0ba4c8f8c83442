import type { AttributeValue, Item } from '../attribute-values';
import {
  type IndexDefinition,
  type KeyAttribute,
  keyAttributesOf,
  type TableDefinition,
} from '../definitions';
import { itemSize } from '../item-sizes';
import { hasKey, keyOf, keyText } from '../keys';
import type { TableStream } from './streams';
import { type Version, VersionedStore } from './versioned-store';

const sortTypesOf = (...attributes: (KeyAttribute | undefined)[]) =>
  attributes.filter((a): a is KeyAttribute => a !== undefined).map((a) => a.type);

/**
 * A global secondary index: a copy of each item that has the index's key attributes (sparse),
 * holding the keys and the projected attributes, kept in its own versioned store so that an
 * index read can lag the table like any eventually consistent read.
 */
export class SecondaryIndex {
  readonly store: VersionedStore;
  private readonly kept: ReadonlySet<string> | undefined;

  constructor(
    readonly definition: IndexDefinition,
    readonly table: TableDefinition,
  ) {
    this.store = new VersionedStore(
      sortTypesOf(definition.rangeKey, table.hashKey, table.rangeKey),
    );
    const { type, nonKeyAttributes = [] } = definition.projection;
    this.kept =
      type === 'ALL'
        ? undefined
        : new Set([
            ...keyAttributesOf(table).map((a) => a.name),
            ...keyAttributesOf(definition).map((a) => a.name),
            ...(type === 'INCLUDE' ? nonKeyAttributes : []),
          ]);
  }

  /** Index entries with equal index keys are ordered by the table's key. */
  sortKeyOf(item: Item): AttributeValue[] {
    const { definition, table } = this;
    return [definition.rangeKey, table.hashKey, table.rangeKey]
      .filter((a): a is KeyAttribute => a !== undefined)
      .map((a) => item[a.name] as AttributeValue);
  }

  /** Whether the index's copies hold an attribute. */
  projects(name: string): boolean {
    return !this.kept || this.kept.has(name);
  }

  /** The index's copy of an item: the item itself when everything is projected. */
  project(item: Item): Item {
    if (!this.kept) return item;
    const copy: Item = {};
    for (const name of this.kept) {
      const value = item[name];
      if (value !== undefined) copy[name] = value;
    }
    return copy;
  }

  apply(old: Item | undefined, item: Item | undefined, index: number, size: number) {
    const { hashKey } = this.definition;
    const before = old && hasKey(old, this.definition) ? old : undefined;
    const after = item && hasKey(item, this.definition) ? item : undefined;
    if (before && (!after || this.entryId(before) !== this.entryId(after))) {
      this.store.write(before[hashKey.name] as AttributeValue, this.sortKeyOf(before), {
        index,
        item: undefined,
        size: 0,
      });
    }
    if (after) {
      const copy = this.project(after);
      this.store.write(after[hashKey.name] as AttributeValue, this.sortKeyOf(after), {
        index,
        item: copy,
        size: copy === after ? size : itemSize(copy),
      });
    }
  }

  private entryId(item: Item) {
    return [item[this.definition.hashKey.name], ...this.sortKeyOf(item)]
      .map((value) => keyText(value as AttributeValue))
      .join('\u0000');
  }
}

/** A table: its items with their versions, its indexes, its stream. */
export class Table {
  readonly store: VersionedStore;
  readonly indexes = new Map<string, SecondaryIndex>();
  itemCount = 0;
  sizeBytes = 0;

  constructor(
    readonly definition: TableDefinition,
    readonly createdAt: number,
    readonly arn: string,
    readonly stream: TableStream | undefined,
  ) {
    this.store = new VersionedStore(sortTypesOf(definition.rangeKey));
    for (const index of definition.indexes ?? []) {
      this.indexes.set(index.name, new SecondaryIndex(index, definition));
    }
  }

  get name() {
    return this.definition.name;
  }

  sortKeyOf(key: Item): AttributeValue[] {
    const { rangeKey } = this.definition;
    return rangeKey ? [key[rangeKey.name] as AttributeValue] : [];
  }

  /** The item under a (checked) key as of commit `asOf`, or its latest state. */
  read(key: Item, asOf?: number): Version | undefined {
    const hash = key[this.definition.hashKey.name] as AttributeValue;
    const stored = this.store.find(keyText(hash), this.sortKeyOf(key));
    const version = stored?.visible(asOf);
    return version?.item ? version : undefined;
  }

  keyOf(item: Item): Item {
    return keyOf(item, this.definition);
  }

  /** Records commit `index`'s new state of one item (undefined: deleted), indexes included. */
  write(key: Item, old: Version | undefined, item: Item | undefined, size: number, index: number) {
    const hash = key[this.definition.hashKey.name] as AttributeValue;
    this.store.write(hash, this.sortKeyOf(key), { index, item, size });
    this.itemCount += (item ? 1 : 0) - (old ? 1 : 0);
    this.sizeBytes += (item ? size : 0) - (old ? old.size : 0);
    for (const secondary of this.indexes.values()) secondary.apply(old?.item, item, index, size);
  }
}
