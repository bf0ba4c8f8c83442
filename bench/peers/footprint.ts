import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

type Item = Record<string, AttributeValue>;

/** What a client's requests read and wrote: items, their bytes, and the capacity units AWS bills. */
export type Footprint = {
  read: { items: number; bytes: number; units: number };
  written: { items: number; bytes: number; units: number; unsized: number };
};

export const emptyFootprint = (): Footprint => ({
  read: { items: 0, bytes: 0, units: 0 },
  written: { items: 0, bytes: 0, units: 0, unsized: 0 },
});

/** Leading and trailing zeroes, sign, point and exponent do not count: 1 byte per 2 digits, plus 1. */
const numberBytes = (number: string) => {
  const digits = number
    .replace(/[eE].*$/, '')
    .replace(/[-+.]/g, '')
    .replace(/^0+|0+$/g, '');
  return Math.ceil(digits.length / 2) + 1;
};

const valueBytes = (value: AttributeValue): number => {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  // A list or a map: 3 bytes, and 1 byte per element besides its own size (and a map's names).
  if (value.L) return value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 3);
  if (value.M) return 3 + attributesBytes(value.M, 1);
  return 0;
};

const attributesBytes = (attributes: Item, perElement = 0) =>
  Object.entries(attributes).reduce(
    (sum, [name, value]) => sum + perElement + Buffer.byteLength(name) + valueBytes(value),
    0,
  );

/**
 * An item's size as DynamoDB counts it for capacity and its 400 KB limit: the names and values of
 * its attributes (AWS's "Item sizes and formats"; a number's size is the documented approximation).
 */
export const itemBytes = (item: Item) => attributesBytes(item);

/** Strongly consistent: 1 unit per 4 KB of everything read by the request; eventually: half. */
export const readUnits = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** 1 unit per KB of each item written (an update: of the larger of its images); twice in a transaction. */
export const writeUnits = (bytes: number, transactional: boolean) =>
  Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);

type Input = {
  Item?: unknown;
  ConsistentRead?: boolean;
  TransactItems?: { Put?: { Item?: unknown } }[];
};
type Output = { Item?: unknown; Items?: unknown[]; Attributes?: unknown };

/**
 * Adds to `footprint` what one request read and wrote (`asItem` turns an item as the client saw it
 * into DynamoDB's form). An update is sized by the item it returns, if it asks for one (the larger
 * image, for an append); one that returns nothing (Equinox's append to its Tip: the Tip's size is
 * what the next read reads) or one inside a transaction is counted as `unsized`.
 */
export const recordRequest = (
  footprint: Footprint,
  commandName: string,
  input: Input,
  output: Output,
  asItem: (item: unknown) => Item = (item) => item as Item,
) => {
  const read = (items: unknown[]) => {
    const bytes = items.reduce<number>((sum, item) => sum + itemBytes(asItem(item)), 0);
    footprint.read.items += items.length;
    footprint.read.bytes += bytes;
    footprint.read.units += readUnits(bytes, input.ConsistentRead === true);
  };
  const write = (item: unknown, transactional: boolean) => {
    footprint.written.items++;
    if (!item) {
      footprint.written.unsized++;
      return;
    }
    const bytes = itemBytes(asItem(item));
    footprint.written.bytes += bytes;
    footprint.written.units += writeUnits(bytes, transactional);
  };
  switch (commandName) {
    case 'GetItemCommand':
      return read(output.Item ? [output.Item] : []);
    case 'QueryCommand':
      return read(output.Items ?? []);
    case 'PutItemCommand':
      return write(input.Item, false);
    case 'UpdateItemCommand':
      return write(output.Attributes, false);
    case 'TransactWriteItemsCommand':
      for (const action of input.TransactItems ?? []) write(action.Put?.Item, true);
      return;
  }
};

type Stack = {
  add: (
    middleware: (
      next: (args: { input: Input }) => Promise<{ output?: Output }>,
      context: { commandName?: string },
    ) => (args: { input: Input }) => Promise<{ output?: Output }>,
    options: { step: 'initialize'; name: string },
  ) => void;
};

/**
 * Measures what a client's requests read and write, by an SDK middleware beside `countRequests`
 * (retries excluded). A document client's items are plain objects, marshalled here to be sized.
 */
export const meterItems = (
  client: { middlewareStack: unknown },
  { document = false }: { document?: boolean } = {},
) => {
  const footprint = emptyFootprint();
  const asItem = document
    ? (item: unknown) => marshall(item as Record<string, unknown>, { removeUndefinedValues: true })
    : undefined;
  (client.middlewareStack as Stack).add(
    (next, context) => async (args) => {
      const result = await next(args);
      recordRequest(footprint, context.commandName ?? '', args.input, result.output ?? {}, asItem);
      return result;
    },
    { step: 'initialize', name: 'meterItems' },
  );
  return footprint;
};

/** Each figure of `total` divided by `count`, rounded to 2 decimals. */
export const averageFootprint = (total: Footprint, count: number): Footprint => {
  const per = (value: number) => Math.round((value / count) * 100) / 100;
  return {
    read: {
      items: per(total.read.items),
      bytes: per(total.read.bytes),
      units: per(total.read.units),
    },
    written: {
      items: per(total.written.items),
      bytes: per(total.written.bytes),
      units: per(total.written.units),
      unsized: per(total.written.unsized),
    },
  };
};
