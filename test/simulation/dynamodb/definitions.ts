import type { ScalarTypeName } from './attribute-values';

export type KeyAttribute = { name: string; type: ScalarTypeName };

export type KeySchema = { hashKey: KeyAttribute; rangeKey?: KeyAttribute };

export type IndexDefinition = KeySchema & {
  name: string;
  projection: { type: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; nonKeyAttributes?: string[] };
};

export type StreamViewType = 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY' | 'OLD_IMAGE';

/** A table as the emulator knows it: its key, its global secondary indexes, its stream. */
export type TableDefinition = KeySchema & {
  name: string;
  indexes?: IndexDefinition[];
  stream?: StreamViewType;
};

export const keyAttributesOf = ({ hashKey, rangeKey }: KeySchema): KeyAttribute[] =>
  rangeKey ? [hashKey, rangeKey] : [hashKey];
