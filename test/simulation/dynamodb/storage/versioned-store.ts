import { createHash } from 'node:crypto';
import type { AttributeValue, Item, ScalarTypeName } from '../attribute-values';
import { compareKeyTuples, keyText } from '../keys';

/** One committed state of an item: the commit that wrote it and what it left (undefined: deleted). */
export type Version = { index: number; item: Item | undefined; size: number };

/** An item's versions, oldest first: as many as reads of earlier commits may still need. */
export class StoredItem {
  readonly versions: Version[];

  constructor(
    readonly sortKey: readonly AttributeValue[],
    readonly id: string,
    first: Version,
  ) {
    this.versions = [first];
  }

  /** What a read as of commit `asOf` sees (the latest state when `asOf` is undefined). */
  visible(asOf?: number): Version | undefined {
    const { versions } = this;
    if (asOf === undefined) return versions[versions.length - 1];
    for (let i = versions.length - 1; i >= 0; i--) {
      const version = versions[i] as Version;
      if (version.index <= asOf) return version;
    }
    return undefined;
  }
}

/** The items under one partition key, in sort key order. */
export class Partition {
  readonly items: StoredItem[] = [];
  readonly byId = new Map<string, StoredItem>();

  constructor(
    readonly hashValue: AttributeValue,
    readonly id: string,
    /** Where the partition falls in a Scan, and in which segment of a parallel one. */
    readonly token: number,
  ) {}
}

/** A deterministic 32-bit hash of a partition key: DynamoDB scans partitions in hash order. */
export const scanToken = (hashText: string): number =>
  createHash('md5').update(hashText).digest().readUInt32BE(0);

const sortIdOf = (sortKey: readonly AttributeValue[]) =>
  sortKey.length === 1
    ? keyText(sortKey[0] as AttributeValue)
    : JSON.stringify(sortKey.map(keyText));

const comparePartitions = (a: { token: number; id: string }, b: { token: number; id: string }) =>
  a.token - b.token || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** First position in a sorted array whose element is not before the probe (binary search). */
export const lowerBound = <T>(array: readonly T[], isBefore: (element: T) => boolean): number => {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isBefore(array[middle] as T)) low = middle + 1;
    else high = middle;
  }
  return low;
};

/**
 * Items (a table's, or an index's copies) by partition key and sort key, each with its version
 * history: a read as of an earlier commit is a walk back along one item's versions.
 */
export class VersionedStore {
  private readonly partitions = new Map<string, Partition>();
  /** Every partition, in Scan order. */
  readonly scanOrder: Partition[] = [];
  /** Items with versions that forgetBefore may drop. */
  private readonly withHistory = new Map<StoredItem, Partition>();

  constructor(private readonly sortTypes: readonly ScalarTypeName[]) {}

  partition(hashText: string): Partition | undefined {
    return this.partitions.get(hashText);
  }

  find(hashText: string, sortKey: readonly AttributeValue[]): StoredItem | undefined {
    return this.partitions.get(hashText)?.byId.get(sortIdOf(sortKey));
  }

  write(hashValue: AttributeValue, sortKey: readonly AttributeValue[], version: Version): void {
    const hashText = keyText(hashValue);
    let partition = this.partitions.get(hashText);
    if (!partition) {
      if (!version.item) return;
      partition = new Partition(hashValue, hashText, scanToken(hashText));
      this.partitions.set(hashText, partition);
      const at = lowerBound(
        this.scanOrder,
        (p) => comparePartitions(p, partition as Partition) < 0,
      );
      this.scanOrder.splice(at, 0, partition);
    }
    const id = sortIdOf(sortKey);
    const stored = partition.byId.get(id);
    if (stored) {
      stored.versions.push(version);
      this.withHistory.set(stored, partition);
      return;
    }
    if (!version.item) return;
    const created = new StoredItem(sortKey, id, version);
    partition.byId.set(id, created);
    partition.items.splice(this.position(partition, sortKey, false), 0, created);
  }

  /** Where, in a partition's items, the first item at (or after, if `after`) `probe` is. */
  position(partition: Partition, probe: readonly AttributeValue[], after: boolean): number {
    const types = this.sortTypes.slice(0, probe.length);
    return lowerBound(partition.items, (item) => {
      const order = compareKeyTuples(types, item.sortKey, probe);
      return after ? order <= 0 : order < 0;
    });
  }

  /** Where, in Scan order, the first partition at (or after, if `after`) a partition key is. */
  partitionPosition(hashText: string, after: boolean): number {
    const probe = { token: scanToken(hashText), id: hashText };
    return lowerBound(this.scanOrder, (partition) => {
      const order = comparePartitions(partition, probe);
      return after ? order <= 0 : order < 0;
    });
  }

  /**
   * Drops the versions no read as of commit `index` or later can see, and the items whose
   * latest such version is a deletion.
   */
  forgetBefore(index: number): void {
    for (const [stored, partition] of this.withHistory) {
      const { versions } = stored;
      let base = versions.length - 1;
      while (base > 0 && (versions[base] as Version).index > index) base--;
      if ((versions[base] as Version).index > index) continue;
      versions.splice(0, base);
      if (versions.length > 1) continue;
      this.withHistory.delete(stored);
      if (!versions[0]?.item) this.drop(partition, stored);
    }
  }

  private drop(partition: Partition, stored: StoredItem) {
    partition.byId.delete(stored.id);
    partition.items.splice(this.position(partition, stored.sortKey, false), 1);
    if (partition.items.length > 0) return;
    this.partitions.delete(partition.id);
    this.scanOrder.splice(this.partitionPosition(partition.id, false), 1);
  }
}
