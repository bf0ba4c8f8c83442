/**
 * EventBridge's event-pattern matching, the part rules use here: exact values (a list of allowed
 * values), `prefix`, `suffix`, `anything-but`, `exists`, `numeric`, `equals-ignore-case`, nested
 * objects (all must match) and `$or` at any level. A pattern leaf is always a list: a field
 * matches if its value (or any of its values, for an array) matches any item of the list.
 */
type Pattern = Record<string, unknown>;
type Matcher = Record<string, unknown>;

const NUMERIC_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

const matchesNumeric = (value: unknown, conditions: unknown[]) => {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < conditions.length; i += 2) {
    const compare = NUMERIC_OPERATORS[conditions[i] as string];
    if (!compare?.(value, conditions[i + 1] as number)) return false;
  }
  return true;
};

const matchesOne = (value: unknown, allowed: unknown): boolean => {
  if (allowed === null || typeof allowed !== 'object') return value === allowed;
  const [[operator, operand]] = Object.entries(allowed as Matcher) as [[string, unknown]];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(operand as string);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(operand as string);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(operand).toLowerCase();
    case 'numeric':
      return matchesNumeric(value, operand as unknown[]);
    case 'anything-but': {
      if (value === undefined) return false;
      if (Array.isArray(operand)) return !operand.some((item) => matchesOne(value, item));
      return operand !== null && typeof operand === 'object'
        ? !matchesOne(value, operand)
        : value !== operand;
    }
    default:
      throw new Error(`event-pattern operator ${operator} is not supported locally`);
  }
};

/** A leaf: the field's value(s) against the list of what is allowed. */
const matchesLeaf = (value: unknown, allowed: unknown[]) => {
  const exists = allowed.find(
    (item) => item !== null && typeof item === 'object' && 'exists' in (item as Matcher),
  ) as { exists: boolean } | undefined;
  if (exists) return (value !== undefined) === exists.exists;
  const values = Array.isArray(value) ? value : [value];
  return values.some((one) => allowed.some((item) => matchesOne(one, item)));
};

export const matchesPattern = (pattern: Pattern, event: Record<string, unknown>): boolean =>
  Object.entries(pattern).every(([field, expected]) => {
    if (field === '$or') {
      return (expected as Pattern[]).some((branch) => matchesPattern(branch, event));
    }
    const value = event?.[field];
    if (Array.isArray(expected)) return matchesLeaf(value, expected);
    return (
      value !== null &&
      typeof value === 'object' &&
      matchesPattern(expected as Pattern, value as Record<string, unknown>)
    );
  });
