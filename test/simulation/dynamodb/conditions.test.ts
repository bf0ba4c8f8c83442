import type { Item } from './attribute-values';
import { evaluate } from './expressions/conditions';
import { RequestExpressions } from './expressions/request-expressions';
import type { ExpressionParameters } from './expressions/substitutions';
import type { BoundCondition } from './expressions/syntax';

const item: Item = {
  id: { S: 'u1' },
  Version: { N: '3' },
  Title: { S: 'Zoë' },
  Tags: { SS: ['a', 'b'] },
  Scores: { NS: ['1', '2.5'] },
  Entries: { L: [{ N: '1' }, { S: 'two' }, { M: { deep: { BOOL: true } } }] },
  Info: { M: { city: { S: 'Oslo' }, 'dotted.name': { N: '7' } } },
  Bytes: { B: 'AQID' },
  Flag: { BOOL: false },
  Nothing: { NULL: true },
  Blank: { S: '' },
};

/** Whether `expression` holds for an item (`null`: no item), bound as a request binds it. */
const holds = (
  expression: string,
  parameters: ExpressionParameters = {},
  on: Item | null = item,
) => {
  const expressions = new RequestExpressions(parameters);
  const condition = expressions.condition('ConditionExpression', expression);
  expressions.checkAllUsed();
  return evaluate(condition as BoundCondition, on === null ? undefined : on);
};

const values = (given: Record<string, unknown>) => ({ ExpressionAttributeValues: given });

describe('condition expressions', () => {
  test('comparisons of numbers are numeric, of strings by UTF-8 bytes', () => {
    expect(holds('Version > :v', values({ ':v': { N: '10' } }))).toBe(false);
    expect(holds('Version < :v', values({ ':v': { N: '10' } }))).toBe(true);
    expect(holds('Version = :v', values({ ':v': { N: '3.0' } }))).toBe(true);
    expect(holds('Title > :v', values({ ':v': { S: 'Zz' } }))).toBe(false);
    // U+FF5E sorts before U+1F600 in UTF-8, after its surrogates in UTF-16.
    expect(holds('Title < :v', values({ ':v': { S: '\u{1F600}' } }))).toBe(true);
    expect(holds(':a < :b', values({ ':a': { S: '\uFF5E' }, ':b': { S: '\u{1F600}' } }))).toBe(
      true,
    );
    expect(holds('Bytes < :v', values({ ':v': { B: 'AQIE' } }))).toBe(true);
  });

  test('a missing attribute or another type compares false, and is <> anything', () => {
    expect(holds('Absent = :v', values({ ':v': { N: '1' } }))).toBe(false);
    expect(holds('Absent < :v', values({ ':v': { N: '1' } }))).toBe(false);
    expect(holds('Absent <> :v', values({ ':v': { N: '1' } }))).toBe(true);
    expect(holds('Version <> :v', values({ ':v': { S: '3' } }))).toBe(true);
    expect(holds('Version < :v', values({ ':v': { S: '4' } }))).toBe(false);
    expect(holds('NOT Version < :v', values({ ':v': { S: '4' } }))).toBe(true);
    expect(holds('attribute_not_exists(id)', {}, null)).toBe(true);
  });

  test('equality of sets ignores order; of lists and maps is deep', () => {
    expect(holds('Tags = :v', values({ ':v': { SS: ['b', 'a'] } }))).toBe(true);
    expect(holds('Scores = :v', values({ ':v': { NS: ['2.50', '1'] } }))).toBe(true);
    expect(
      holds(
        'Info = :v',
        values({ ':v': { M: { 'dotted.name': { N: '7' }, city: { S: 'Oslo' } } } }),
      ),
    ).toBe(true);
    expect(holds('Entries[2] = :v', values({ ':v': { M: { deep: { BOOL: true } } } }))).toBe(true);
  });

  test('NOT binds tighter than AND, AND tighter than OR; parentheses group', () => {
    const v = values({ ':three': { N: '3' }, ':four': { N: '4' } });
    expect(holds('NOT Version = :three AND Version = :four', v)).toBe(false);
    expect(holds('Version = :four AND Version = :four OR Version = :three', v)).toBe(true);
    expect(holds('Version = :four AND (Version = :four OR Version = :three)', v)).toBe(false);
    expect(holds('not (Version = :four) and version = :four or Version = :three', v)).toBe(true);
  });

  test('BETWEEN and IN', () => {
    expect(holds('Version BETWEEN :a AND :b', values({ ':a': { N: '3' }, ':b': { N: '5' } }))).toBe(
      true,
    );
    expect(holds('Title BETWEEN :a AND :b', values({ ':a': { S: 'A' }, ':b': { S: 'Z' } }))).toBe(
      false,
    );
    expect(
      holds(
        'Version IN (:a, :b, :c)',
        values({ ':a': { N: '1' }, ':b': { S: '3' }, ':c': { N: '3' } }),
      ),
    ).toBe(true);
    expect(holds('Absent IN (:a)', values({ ':a': { N: '1' } }))).toBe(false);
  });

  test('functions', () => {
    expect(holds('attribute_exists(Info.city) AND attribute_not_exists(Info.town)')).toBe(true);
    expect(
      holds('attribute_exists(Info.#d)', { ExpressionAttributeNames: { '#d': 'dotted.name' } }),
    ).toBe(true);
    expect(holds('attribute_exists(Entries[2].deep) AND attribute_not_exists(Entries[3])')).toBe(
      true,
    );
    expect(holds('attribute_type(Nothing, :t)', values({ ':t': { S: 'NULL' } }))).toBe(true);
    expect(holds('attribute_type(Version, :t)', values({ ':t': { S: 'S' } }))).toBe(false);
    expect(holds('begins_with(Title, :p)', values({ ':p': { S: 'Zo' } }))).toBe(true);
    expect(holds('begins_with(Bytes, :p)', values({ ':p': { B: 'AQ==' } }))).toBe(true);
    expect(holds('begins_with(Version, :p)', values({ ':p': { S: '3' } }))).toBe(false);
    expect(holds('contains(Title, :s)', values({ ':s': { S: 'oë' } }))).toBe(true);
    expect(holds('contains(Tags, :s)', values({ ':s': { S: 'b' } }))).toBe(true);
    expect(holds('contains(Scores, :n)', values({ ':n': { N: '2.50' } }))).toBe(true);
    expect(holds('contains(Entries, :s)', values({ ':s': { S: 'two' } }))).toBe(true);
    expect(holds('contains(Tags, :n)', values({ ':n': { N: '1' } }))).toBe(false);
  });

  test('size counts characters (UTF-16 units), bytes, elements and entries', () => {
    const sizes = {
      ':title': { N: '3' },
      ':bytes': { N: '3' },
      ':tags': { N: '2' },
      ':info': { N: '2' },
    };
    expect(
      holds(
        'size(Title) = :title AND size(Bytes) = :bytes AND size(Tags) = :tags AND size(Info) = :info AND size(Entries) > :tags',
        values(sizes),
      ),
    ).toBe(true);
    expect(holds('size(Version) >= :zero', values({ ':zero': { N: '0' } }))).toBe(false);
    expect(holds('size(Blank) = :zero', values({ ':zero': { N: '0' } }))).toBe(true);
  });

  test.each([
    ['Version = :v', {}, 'attribute value used in expression is not defined'],
    [
      '#v = :v',
      values({ ':v': { N: '1' } }),
      'attribute name used in the document path is not defined',
    ],
    [
      'Version = :v',
      values({ ':v': { N: '1' }, ':w': { N: '2' } }),
      'unused in expressions: keys: {:w}',
    ],
    [
      'Version = :v',
      { ...values({ ':v': { N: '1' } }), ExpressionAttributeNames: { '#n': 'N' } },
      'ExpressionAttributeNames unused in expressions: keys: {#n}',
    ],
    ['Version = :v', { ExpressionAttributeValues: {} }, 'must not be empty'],
    ['Name = :v', values({ ':v': { S: 'x' } }), 'reserved keyword; reserved keyword: Name'],
    [
      'Version < :v',
      values({ ':v': { BOOL: true } }),
      'operator or function: <, operand type: BOOL',
    ],
    ['begins_with(Title, :v)', values({ ':v': { N: '1' } }), 'begins_with, operand type: N'],
    ['attribute_type(Title, :v)', values({ ':v': { S: 'STRING' } }), 'Invalid attribute type name'],
    ['attribute_exists(:v)', values({ ':v': { S: 'x' } }), 'requires a document path'],
    ['ATTRIBUTE_EXISTS(Title)', {}, 'Invalid function name; function: ATTRIBUTE_EXISTS'],
    ['size(Title)', {}, 'not allowed to be used this way'],
    [
      'attribute_exists(Title) = :v',
      values({ ':v': { S: 'x' } }),
      'not allowed to be used this way',
    ],
    ['Title = Title', {}, 'first operand must be distinct'],
    ['Version BETWEEN :b AND :a', values({ ':a': { N: '1' }, ':b': { N: '2' } }), 'upper bound'],
    ['Version BETWEEN :a AND :b', values({ ':a': { N: '1' }, ':b': { S: '2' } }), 'same data type'],
    ['Version IN (:a)', values({ ':a': { NS: [] } }), 'may not be empty'],
    ['Version = ', {}, 'Syntax error; token: "<EOF>"'],
    ['_x = :v', values({ ':v': { N: '1' } }), 'Syntax error; token: "_"'],
    ['Version = :v AND', values({ ':v': { N: '1' } }), 'Syntax error'],
  ])('%s is refused: %s', (expression, parameters, message) => {
    expect(() => holds(expression, parameters as ExpressionParameters)).toThrow(message);
  });

  test('IN takes at most 100 operands', () => {
    const many = Array.from({ length: 101 }, () => ':v').join(', ');
    expect(() => holds(`Version IN (${many})`, values({ ':v': { N: '1' } }))).toThrow(
      'too many operands; number of operands: 101',
    );
  });
});
