import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { simulatedClients } from './simulated-clients';

const things = { name: 'things', hashKey: { name: 'id', type: 'S' as const } };

const setUp = async (item: Record<string, unknown>) => {
  const { documents, emulator } = simulatedClients([things]);
  await documents.send(new PutCommand({ TableName: 'things', Item: { id: 'a', ...item } }));
  const update = async (
    UpdateExpression: string,
    ExpressionAttributeValues?: Record<string, unknown>,
    ExpressionAttributeNames?: Record<string, string>,
  ) => {
    await documents.send(
      new UpdateCommand({
        TableName: 'things',
        Key: { id: 'a' },
        UpdateExpression,
        ExpressionAttributeValues,
        ExpressionAttributeNames,
      }),
    );
    const { Item } = await documents.send(
      new GetCommand({ TableName: 'things', Key: { id: 'a' } }),
    );
    return Item;
  };
  return { update, emulator, documents };
};

describe('update expressions', () => {
  test('SET with arithmetic, if_not_exists and list_append, reading the item as it was', async () => {
    const { update } = await setUp({ hits: 1, spare: 10, trail: [1] });
    expect(
      await update(
        'SET hits = spare + :one, spare = hits - :one, fresh = if_not_exists(fresh, :zero), trail = list_append(trail, :more)',
        { ':one': 1, ':zero': 0, ':more': [2, 3] },
      ),
    ).toEqual({ id: 'a', hits: 11, spare: 0, fresh: 0, trail: [1, 2, 3] });
  });

  test('SET into maps and lists; past the end of a list appends', async () => {
    const { update } = await setUp({ info: { city: 'Oslo' }, trail: ['a', 'b'] });
    expect(
      await update(
        'SET info.town = :t, #trail[1] = :x, #trail[7] = :y',
        { ':t': 'Bergen', ':x': 'B', ':y': 'z' },
        { '#trail': 'trail' },
      ),
    ).toEqual({ id: 'a', info: { city: 'Oslo', town: 'Bergen' }, trail: ['a', 'B', 'z'] });
  });

  test('REMOVE attributes, map entries and list elements (indexes as they were)', async () => {
    const { update } = await setUp({ a: 1, b: 2, info: { x: 1, y: 2 }, trail: [0, 1, 2, 3] });
    expect(await update('REMOVE a, info.x, trail[0], trail[2], trail[9], nothing')).toEqual({
      id: 'a',
      b: 2,
      info: { y: 2 },
      trail: [1, 3],
    });
  });

  test('ADD to numbers and sets; DELETE from sets, dropping a set left empty', async () => {
    const { update } = await setUp({ amount: 1.5, tags: new Set(['a']), gone: new Set([1]) });
    expect(
      await update('ADD amount :n, tags :more, fresh :n, newSet :more DELETE gone :one', {
        ':n': 2.25,
        ':more': new Set(['a', 'b']),
        ':one': new Set([1]),
      }),
    ).toEqual({
      id: 'a',
      amount: 3.75,
      tags: new Set(['a', 'b']),
      fresh: 2.25,
      newSet: new Set(['a', 'b']),
    });
  });

  test('an update of an item that does not exist creates it from its key', async () => {
    const { documents } = await setUp({});
    await documents.send(
      new UpdateCommand({ TableName: 'things', Key: { id: 'new' }, UpdateExpression: 'REMOVE x' }),
    );
    const { Item } = await documents.send(
      new GetCommand({ TableName: 'things', Key: { id: 'new' } }),
    );
    expect(Item).toEqual({ id: 'new' });
  });

  test.each([
    ['SET n = absent + :one', { ':one': 1 }, 'refers to an attribute that does not exist'],
    ['SET n = s + :one', { ':one': 1 }, 'incorrect data type'],
    ['SET n = list_append(s, :l)', { ':l': [1] }, 'incorrect data type'],
    ['ADD s :one', { ':one': 1 }, 'incorrect data type'],
    ['ADD n :s', { ':s': 'x' }, 'operator: ADD, operand type: STRING'],
    ['DELETE n :one', { ':one': 1 }, 'operator: DELETE, operand type: NUMBER'],
    [
      'SET nope.deeper = :one',
      { ':one': 1 },
      'document path provided in the update expression is invalid',
    ],
    ['REMOVE nope.deeper', undefined, 'document path provided in the update expression is invalid'],
    ['SET s.x = :one', { ':one': 1 }, 'document path provided in the update expression is invalid'],
    ['SET n = :one REMOVE n', { ':one': 1 }, 'Two document paths overlap'],
    ['SET info = :one, info.x = :one', { ':one': 1 }, 'path one: [info], path two: [info, x]'],
    ['SET id = :s', { ':s': 'b' }, 'Cannot update attribute id. This attribute is part of the key'],
    ['SET n = :one SET s = :one', { ':one': 1 }, 'The "SET" section can only be used once'],
    ['SET n = size(s)', undefined, 'not allowed in this expression'],
    ['SET big = :big', { ':big': 'x'.repeat(400 * 1024) }, 'Item size to update has exceeded'],
  ])('%s is refused: %s', async (expression, values, message) => {
    const { update } = await setUp({ n: 1, s: 'x' });
    await expect(update(expression, values)).rejects.toThrow(message);
  });
});
