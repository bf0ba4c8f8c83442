import {
  type AttributeValue,
  compareScalars,
  payloadOf,
  type ScalarTypeName,
  type TypeName,
  typeOf,
} from '../attribute-values';
import { validationError } from '../errors';
import { describePath, resolvePath } from './document-paths';
import type { Substitutions } from './substitutions';
import type { BoundCondition, BoundOperand, Condition, ExpressionLabel, Operand } from './syntax';

export const SCALARS = new Set<TypeName>(['S', 'N', 'B']);
const TYPE_NAMES = ['S', 'SS', 'N', 'NS', 'B', 'BS', 'BOOL', 'NULL', 'L', 'M'];
const MAX_IN_OPERANDS = 100;

export const bindOperand = (operand: Operand, substitutions: Substitutions): BoundOperand => {
  switch (operand.kind) {
    case 'path':
      return { kind: 'path', path: resolvePath(operand.path, substitutions) };
    case 'value':
      return { kind: 'value', value: substitutions.value(operand.value) };
    case 'size':
      return { kind: 'size', operand: bindOperand(operand.operand, substitutions) };
    case 'if_not_exists':
      return {
        kind: 'if_not_exists',
        path: resolvePath(operand.path, substitutions),
        fallback: bindOperand(operand.fallback, substitutions),
      };
    case 'list_append':
      return {
        kind: 'list_append',
        first: bindOperand(operand.first, substitutions),
        second: bindOperand(operand.second, substitutions),
      };
    case 'arithmetic':
      return {
        ...operand,
        left: bindOperand(operand.left, substitutions),
        right: bindOperand(operand.right, substitutions),
      };
  }
};

/** Checks DynamoDB makes before reading any item: they depend on the values given only. */
class StaticChecks {
  constructor(private readonly label: ExpressionLabel) {}

  fail(message: string): never {
    throw validationError(`Invalid ${this.label}: ${message}`);
  }

  operandType(operator: string, operand: BoundOperand, allowed: Set<TypeName>) {
    if (operand.kind !== 'value') return;
    const type = typeOf(operand.value);
    if (!allowed.has(type)) {
      this.fail(
        `Incorrect operand type for operator or function; operator or function: ${operator}, operand type: ${type}`,
      );
    }
  }

  distinct(operator: string, first: BoundOperand, others: BoundOperand[]) {
    if (first.kind !== 'path') return;
    const text = first.path.join('\u0000');
    if (others.some((other) => other.kind === 'path' && other.path.join('\u0000') === text)) {
      this.fail(
        `The first operand must be distinct from the remaining operands for this operator or function; operator: ${operator}, first operand: ${describePath(first.path)}`,
      );
    }
  }

  bounds(lower: BoundOperand, upper: BoundOperand) {
    if (lower.kind !== 'value' || upper.kind !== 'value') return;
    const shown = (value: AttributeValue) =>
      `AttributeValue: {${typeOf(value)}:${payloadOf<string>(value)}}`;
    const lowerType = typeOf(lower.value);
    if (lowerType !== typeOf(upper.value)) {
      this.fail(
        `The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: ${shown(lower.value)}, upper bound operand: ${shown(upper.value)}`,
      );
    }
    const order = compareScalars(
      lowerType as ScalarTypeName,
      payloadOf(lower.value),
      payloadOf(upper.value),
    );
    if (order > 0) {
      this.fail(
        `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: ${shown(lower.value)}, upper bound operand: ${shown(upper.value)}`,
      );
    }
  }

  attributeType(operand: BoundOperand | undefined) {
    if (operand?.kind !== 'value') return;
    if (typeOf(operand.value) !== 'S') {
      this.operandType('attribute_type', operand, new Set(['S']));
    }
    const name = payloadOf<string>(operand.value);
    if (!TYPE_NAMES.includes(name)) {
      this.fail(
        `Invalid attribute type name found; type: ${name}, valid types: {${TYPE_NAMES.join(',')}}`,
      );
    }
  }
}

/** The tree with names and values resolved, checked as DynamoDB checks it before evaluating. */
export const bindCondition = (
  condition: Condition,
  substitutions: Substitutions,
  label: ExpressionLabel,
): BoundCondition => {
  const checks = new StaticChecks(label);
  const bind = (node: Condition): BoundCondition => {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { kind: node.kind, left: bind(node.left), right: bind(node.right) };
      case 'not':
        return { kind: 'not', condition: bind(node.condition) };
      case 'comparison': {
        const left = bindOperand(node.left, substitutions);
        const right = bindOperand(node.right, substitutions);
        if (node.comparator !== '=' && node.comparator !== '<>') {
          checks.operandType(node.comparator, left, SCALARS);
          checks.operandType(node.comparator, right, SCALARS);
        }
        checks.distinct(node.comparator, left, [right]);
        return { kind: 'comparison', comparator: node.comparator, left, right };
      }
      case 'between': {
        const [subject, lower, upper] = [node.subject, node.lower, node.upper].map((operand) =>
          bindOperand(operand, substitutions),
        ) as [BoundOperand, BoundOperand, BoundOperand];
        for (const operand of [subject, lower, upper]) {
          checks.operandType('BETWEEN', operand, SCALARS);
        }
        checks.distinct('BETWEEN', subject, [lower, upper]);
        checks.bounds(lower, upper);
        return { kind: 'between', subject, lower, upper };
      }
      case 'in': {
        if (node.candidates.length > MAX_IN_OPERANDS) {
          checks.fail(
            `The IN operator is provided with too many operands; number of operands: ${node.candidates.length}`,
          );
        }
        const subject = bindOperand(node.subject, substitutions);
        const candidates = node.candidates.map((operand) => bindOperand(operand, substitutions));
        checks.distinct('IN', subject, candidates);
        return { kind: 'in', subject, candidates };
      }
      case 'function': {
        const args = node.args.map((operand) => bindOperand(operand, substitutions));
        if (node.name === 'attribute_type') checks.attributeType(args[1]);
        if (node.name === 'begins_with') {
          for (const operand of args)
            checks.operandType('begins_with', operand, new Set(['S', 'B']));
        }
        return { kind: 'function', name: node.name, args };
      }
    }
  };
  return bind(condition);
};
