import { validationError } from '../errors';

const LEGACY = [
  'AttributesToGet',
  'AttributeUpdates',
  'ConditionalOperator',
  'Expected',
  'KeyConditions',
  'QueryFilter',
  'ScanFilter',
];

/**
 * The pre-expression parameters are not emulated: a request using them is refused loudly rather
 * than answered wrongly (nothing in this project sends them).
 */
export const refuseLegacyParameters = (input: object) => {
  const used = LEGACY.find((name) => name in input);
  if (used) throw validationError(`${used} is not emulated by the simulated DynamoDB`);
};
