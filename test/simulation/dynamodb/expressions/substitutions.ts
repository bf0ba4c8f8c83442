import type { AttributeValue } from '../attribute-values';
import { canonicalValue } from '../canonical-values';
import { validationError } from '../errors';
import type { ExpressionLabel, Parsed } from './syntax';

export type ExpressionParameters = {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
};

const EMPTY = {};

/**
 * A request's ExpressionAttributeNames and ExpressionAttributeValues, and what its expressions
 * used of them: DynamoDB refuses a placeholder that is undefined, and one defined but unused.
 */
export class Substitutions {
  private readonly names: Record<string, string>;
  private readonly values: Record<string, AttributeValue> = {};
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();
  private expressions = 0;

  constructor(private readonly parameters: ExpressionParameters) {
    const { ExpressionAttributeNames: names, ExpressionAttributeValues: values } = parameters;
    if (names && Object.keys(names).length === 0) {
      throw validationError('ExpressionAttributeNames must not be empty');
    }
    if (values && Object.keys(values).length === 0) {
      throw validationError('ExpressionAttributeValues must not be empty');
    }
    for (const [placeholder, name] of Object.entries(names ?? EMPTY)) {
      if (name === '') {
        throw validationError(
          `ExpressionAttributeNames contains invalid value: Empty attribute name for key ${placeholder}`,
        );
      }
    }
    for (const [placeholder, value] of Object.entries(values ?? EMPTY)) {
      this.values[placeholder] = canonicalValue(value);
    }
    this.names = names ?? EMPTY;
  }

  /** Records an expression's placeholders, each of which must be defined. */
  use({ names, values }: Parsed<unknown>, label: ExpressionLabel): void {
    this.expressions++;
    for (const name of names) {
      if (!(name in this.names)) {
        throw validationError(
          `Invalid ${label}: An expression attribute name used in the document path is not defined; attribute name: ${name}`,
        );
      }
      this.usedNames.add(name);
    }
    for (const value of values) {
      if (!(value in this.values)) {
        throw validationError(
          `Invalid ${label}: An expression attribute value used in expression is not defined; attribute value: ${value}`,
        );
      }
      this.usedValues.add(value);
    }
  }

  name(placeholder: string): string {
    return this.names[placeholder] as string;
  }

  value(placeholder: string): AttributeValue {
    return this.values[placeholder] as AttributeValue;
  }

  /** Once every expression of the request is in: nothing defined may be left unused. */
  checkAllUsed(): void {
    const { ExpressionAttributeNames: names, ExpressionAttributeValues: values } = this.parameters;
    if (this.expressions === 0 && names) {
      throw validationError(
        'ExpressionAttributeNames can only be specified when using expressions',
      );
    }
    if (this.expressions === 0 && values) {
      throw validationError(
        'ExpressionAttributeValues can only be specified when using expressions',
      );
    }
    const unusedNames = Object.keys(names ?? EMPTY).filter((name) => !this.usedNames.has(name));
    if (unusedNames.length > 0) {
      throw validationError(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
    }
    const unusedValues = Object.keys(values ?? EMPTY).filter(
      (value) => !this.usedValues.has(value),
    );
    if (unusedValues.length > 0) {
      throw validationError(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    }
  }
}
