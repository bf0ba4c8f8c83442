import { validationError } from './errors';

/**
 * DynamoDB numbers are decimals of up to 38 significant digits, compared and added exactly:
 * `digits × 10^scale`, digits without leading or trailing zeros ('' for zero).
 */
type Decimal = { negative: boolean; digits: string; scale: number };

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const ZERO: Decimal = { negative: false, digits: '', scale: 0 };

const parse = (text: string): Decimal => {
  const match = NUMBER.exec(text);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match ?? [];
  if (!match || whole + fraction === '') {
    throw validationError('A value provided cannot be converted into a number');
  }
  const all = whole + fraction;
  let start = 0;
  while (start < all.length && all[start] === '0') start++;
  let end = all.length;
  while (end > start && all[end - 1] === '0') end--;
  if (start === end) return ZERO;
  return {
    negative: sign === '-',
    digits: all.slice(start, end),
    scale: Number(exponent) - fraction.length + (all.length - end),
  };
};

const format = ({ negative, digits, scale }: Decimal): string => {
  if (digits === '') return '0';
  const sign = negative ? '-' : '';
  if (scale >= 0) return sign + digits + '0'.repeat(scale);
  const point = digits.length + scale;
  return point > 0
    ? `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
    : `${sign}0.${'0'.repeat(-point)}${digits}`;
};

const checkLimits = (decimal: Decimal): Decimal => {
  if (decimal.digits.length > 38) {
    throw validationError('Attempting to store more than 38 significant digits in a Number');
  }
  const magnitude = decimal.digits.length + decimal.scale - 1;
  if (decimal.digits !== '' && magnitude > 125) {
    throw validationError(
      'Number overflow. Attempting to store a number with magnitude larger than supported range',
    );
  }
  if (decimal.digits !== '' && magnitude < -130) {
    throw validationError(
      'Number underflow. Attempting to store a number with magnitude smaller than supported range',
    );
  }
  return decimal;
};

/** The form DynamoDB stores and answers (`1.50` -> `1.5`, `1e3` -> `1000`, `-0` -> `0`). */
export const canonicalNumber = (text: string): string => format(checkLimits(parse(text)));

const SMALL_INTEGER = /^-?\d{1,15}$/;

/** Compares two canonical numbers. */
export const compareNumbers = (a: string, b: string): number => {
  if (a === b) return 0;
  // Most keys and versions are small integers: compared as doubles, exactly.
  if (SMALL_INTEGER.test(a) && SMALL_INTEGER.test(b)) return Number(a) - Number(b);
  const x = parse(a);
  const y = parse(b);
  const signX = x.digits === '' ? 0 : x.negative ? -1 : 1;
  const signY = y.digits === '' ? 0 : y.negative ? -1 : 1;
  if (signX !== signY) return signX - signY;
  return signX * compareMagnitudes(x, y);
};

const compareMagnitudes = (x: Decimal, y: Decimal): number => {
  const orderX = x.digits.length + x.scale;
  const orderY = y.digits.length + y.scale;
  if (orderX !== orderY) return orderX - orderY;
  const length = Math.max(x.digits.length, y.digits.length);
  const digitsX = x.digits.padEnd(length, '0');
  const digitsY = y.digits.padEnd(length, '0');
  return digitsX < digitsY ? -1 : digitsX > digitsY ? 1 : 0;
};

const toBigInt = ({ negative, digits }: Decimal, shift: number) =>
  (negative ? -1n : 1n) * BigInt(digits || '0') * 10n ** BigInt(shift);

/** `a + b` (or `a - b`) of two canonical numbers, exactly, within DynamoDB's limits. */
export const addNumbers = (a: string, b: string, subtract = false): string => {
  const x = parse(a);
  const y = parse(b);
  const scale = Math.min(x.scale, y.scale);
  const sum = toBigInt(x, x.scale - scale) + (subtract ? -1n : 1n) * toBigInt(y, y.scale - scale);
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString();
  return canonicalNumber(`${negative ? '-' : ''}${digits}e${scale}`);
};

/**
 * A number's stored size: one byte per pair of digits aligned on the decimal point, plus one,
 * plus one more when negative (measured against DynamoDB Local, which sizes items as AWS does).
 */
export const numberSize = (canonical: string): number => {
  const { negative, digits, scale } = parse(canonical);
  if (digits === '') return 1;
  const highest = digits.length + scale - 1;
  const pairs = Math.floor(highest / 2) - Math.floor(scale / 2) + 1;
  return pairs + 1 + (negative ? 1 : 0);
};
