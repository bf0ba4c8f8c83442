import { itemSize } from './item-sizes';
import { addNumbers, canonicalNumber, compareNumbers } from './numbers';

describe('numbers', () => {
  test.each([
    ['1.50', '1.5'],
    ['1e3', '1000'],
    ['-0', '0'],
    ['007', '7'],
    ['0.000100', '0.0001'],
    ['1E-5', '0.00001'],
    ['+12.0e-1', '1.2'],
    ['.5', '0.5'],
  ])('%s is stored as %s', (given, stored) => {
    expect(canonicalNumber(given)).toBe(stored);
  });

  test.each([
    ['abc', 'cannot be converted'],
    ['1.2.3', 'cannot be converted'],
    ['', 'cannot be converted'],
    ['1'.repeat(39), '38 significant digits'],
    ['1e126', 'overflow'],
    ['1e-131', 'underflow'],
  ])('%s is refused (%s)', (given, reason) => {
    expect(() => canonicalNumber(given)).toThrow(reason);
  });

  test('compare as decimals, beyond what doubles hold', () => {
    expect(compareNumbers('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
    expect(compareNumbers('0.1', '0.09')).toBeGreaterThan(0);
    expect(compareNumbers('-2', '-10')).toBeGreaterThan(0);
    expect(compareNumbers('-0.5', '0')).toBeLessThan(0);
    expect(compareNumbers('100', '99.999')).toBeGreaterThan(0);
    expect(compareNumbers('12345678901234567890123456789012345678', '1.2e37')).toBeGreaterThan(0);
    expect(compareNumbers('3', '3')).toBe(0);
  });

  test('add and subtract exactly', () => {
    expect(addNumbers('0.1', '0.2')).toBe('0.3');
    expect(addNumbers('-1.5', '-1.5')).toBe('-3');
    expect(addNumbers('10', '0.25', true)).toBe('9.75');
    expect(addNumbers('99999999999999999999999999999999999999', '0')).toBe(
      '99999999999999999999999999999999999999',
    );
    expect(() => addNumbers('99999999999999999999999999999999999999', '0.1')).toThrow(
      '38 significant digits',
    );
  });

  test('sizes count pairs of digits around the decimal point, as DynamoDB does', () => {
    const sizeOf = (N: string) => itemSize({ n: { N } }) - 1;
    expect([
      sizeOf('0'),
      sizeOf('1'),
      sizeOf('10'),
      sizeOf('123'),
      sizeOf('1.5'),
      sizeOf('-12'),
      sizeOf('1'.repeat(38)),
    ]).toEqual([1, 2, 2, 3, 3, 3, 20]);
  });
});
