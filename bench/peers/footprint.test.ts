import {
  averageFootprint,
  emptyFootprint,
  itemBytes,
  readUnits,
  recordRequest,
  writeUnits,
} from './footprint';

describe("itemBytes, by DynamoDB's documented rules", () => {
  it('counts names and UTF-8 strings, binaries by their raw bytes', () => {
    expect(itemBytes({ p: { S: 'User-1' } })).toBe(1 + 6);
    expect(itemBytes({ name: { S: 'é' } })).toBe(4 + 2);
    expect(itemBytes({ d: { B: new Uint8Array(11) } })).toBe(1 + 11);
  });

  it('counts a number as 1 byte per two significant digits, plus 1', () => {
    expect(itemBytes({ i: { N: '2147483647' } })).toBe(1 + 5 + 1);
    expect(itemBytes({ n: { N: '1000' } })).toBe(1 + 1 + 1);
    expect(itemBytes({ n: { N: '-0.0015' } })).toBe(1 + 1 + 1);
    expect(itemBytes({ n: { N: '0' } })).toBe(1 + 0 + 1);
  });

  it('adds 3 bytes to a list or map and 1 byte to each of its elements', () => {
    expect(itemBytes({ c: { L: [] } })).toBe(1 + 3);
    expect(itemBytes({ c: { L: [{ S: 'USER_BALANCE' }, { S: 'USER_BALANCE' }] } })).toBe(
      1 + 3 + 2 * (1 + 12),
    );
    // One of Equinox's events in a Tip: { t, d, D } inside the list `e`.
    const event = {
      M: {
        t: { S: '2026-12-02T00:00:00.000Z' },
        d: { B: new Uint8Array(11) },
        D: { N: '0' },
      },
    };
    expect(itemBytes({ e: { L: [event] } })).toBe(
      1 + 3 + 1 + (3 + (1 + 1 + 24) + (1 + 1 + 11) + (1 + 1 + 1)),
    );
  });

  it('counts booleans and nulls as 1 byte, sets by their elements', () => {
    expect(itemBytes({ ok: { BOOL: true }, gone: { NULL: true } })).toBe(2 + 1 + 4 + 1);
    expect(itemBytes({ tags: { SS: ['a', 'bc'] } })).toBe(4 + 3);
  });
});

describe('capacity units', () => {
  it('reads 4 KB per unit, half when eventually consistent; writes 1 KB per unit, twice in a transaction', () => {
    expect(readUnits(100, true)).toBe(1);
    expect(readUnits(30_000, true)).toBe(8);
    expect(readUnits(30_000, false)).toBe(4);
    expect(writeUnits(100, false)).toBe(1);
    expect(writeUnits(30_000, false)).toBe(30);
    expect(writeUnits(900, true)).toBe(2);
  });
});

describe('recordRequest', () => {
  it('adds what each kind of request reads and writes', () => {
    const footprint = emptyFootprint();
    const item = { p: { S: 'User-1' }, i: { N: '1' } };
    recordRequest(footprint, 'QueryCommand', { ConsistentRead: true }, { Items: [item, item] });
    recordRequest(footprint, 'GetItemCommand', {}, { Item: item });
    recordRequest(footprint, 'PutItemCommand', { Item: item }, {});
    recordRequest(footprint, 'UpdateItemCommand', {}, { Attributes: item });
    recordRequest(footprint, 'UpdateItemCommand', {}, {});
    recordRequest(
      footprint,
      'TransactWriteItemsCommand',
      { TransactItems: [{ Put: { Item: item } }, {}] },
      {},
    );
    const bytes = itemBytes(item);
    expect(footprint.read).toEqual({ items: 3, bytes: 3 * bytes, units: 1 + 0.5 });
    expect(footprint.written).toEqual({ items: 5, bytes: 3 * bytes, units: 1 + 1 + 2, unsized: 2 });
  });

  it("sizes a document client's plain items through the marshaller it is given", () => {
    const footprint = emptyFootprint();
    recordRequest(footprint, 'PutItemCommand', { Item: { id: 'x' } }, {}, () => ({
      id: { S: 'x' },
    }));
    expect(footprint.written.bytes).toBe(3);
  });

  it('averages over commands', () => {
    const footprint = emptyFootprint();
    footprint.read = { items: 3, bytes: 10, units: 1 };
    expect(averageFootprint(footprint, 3).read).toEqual({ items: 1, bytes: 3.33, units: 0.33 });
  });
});
