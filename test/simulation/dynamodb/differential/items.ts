import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import type { TableDefinition } from '../definitions';

/** The differential test's two tables and the values in their items: a small key space. */

export type Values = Record<string, AttributeValue>;

export type Tables = { single: TableDefinition; ranged: TableDefinition };

export const tablesNamed = (suffix: string): Tables => ({
  single: { name: `single-${suffix}`, hashKey: { name: 'pk', type: 'S' } },
  ranged: {
    name: `ranged-${suffix}`,
    hashKey: { name: 'pk', type: 'S' },
    rangeKey: { name: 'sk', type: 'N' },
    indexes: [
      {
        name: 'byTag',
        hashKey: { name: 'tag', type: 'S' },
        rangeKey: { name: 'sk', type: 'N' },
        projection: { type: 'INCLUDE', nonKeyAttributes: ['Version'] },
      },
    ],
  },
});

export const s = (text: string): AttributeValue => ({ S: text });
export const n = (number: number | string): AttributeValue => ({ N: String(number) });

export const pk = fc.constantFrom('a', 'b', 'c').map(s);
export const sk = fc.constantFrom(1, 2, 3).map(n);
export const version = fc.integer({ min: 0, max: 3 }).map(n);
export const name = fc.constantFrom('Ann', 'Bea', '', 'Zoë', 'Ann Lee').map(s);
export const counter = fc.constantFrom('-1', '0', '2', '10').map(n);
/**
 * Numbers DynamoDB stores in canonical form (`100`, `1.5`). DynamoDB Local keeps the form it
 * was given when ADD creates an attribute, and the scale of sums (-1.5 + -1.5 = -3.0): these
 * only come in by Put, and counters are whole.
 */
const amount = fc.constantFrom('1e2', '1.50', '-0', '007', '0.000', '0.10').map(n);
export const tagSet = fc.subarray(['a', 'b', 'c'], { minLength: 1 }).map((SS) => ({ SS }));
export const list = fc
  .array(fc.integer({ min: 0, max: 3 }).map(n), { maxLength: 3 })
  .map((L) => ({ L }));
const info = fc.record({ x: name, y: version }, { requiredKeys: ['x'] }).map((M) => ({ M }));
/** An index key: absent (sparse), or present; the empty string is refused for index keys. */
export const tag = fc.constantFrom('x', 'y').map(s);

const attributes = (withEmptyTag: boolean) =>
  fc.record(
    {
      Version: version,
      Name: name,
      Tally: counter,
      Amount: amount,
      Tags: tagSet,
      Entries: list,
      Info: info,
      Erased: fc.boolean().map((BOOL) => ({ BOOL })),
      Email: fc.constant({ NULL: true } as AttributeValue),
      ExpiresAt: fc.integer({ min: 0, max: 2 }).map(n),
      tag: withEmptyTag ? fc.oneof({ weight: 9, arbitrary: tag }, fc.constant(s(''))) : tag,
    },
    { requiredKeys: [] },
  );

/** A 350 KB string: three items with one make a page pass 1 MB. */
export const PAYLOAD = s('p'.repeat(350_000));

const payload = fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, fc.constant(PAYLOAD));

export const itemFor = (table: TableDefinition, withEmptyTag = true): fc.Arbitrary<Values> =>
  fc.tuple(pk, sk, attributes(withEmptyTag), payload).map(([hash, range, rest, Payload]) => ({
    ...rest,
    ...(Payload && { Payload }),
    pk: hash,
    ...(table.rangeKey && { sk: range }),
  }));

export const keyFor = (table: TableDefinition) =>
  fc.tuple(pk, sk).map(([hash, range]) => ({ pk: hash, ...(table.rangeKey && { sk: range }) }));
