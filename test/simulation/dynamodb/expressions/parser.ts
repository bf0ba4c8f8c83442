import { validationError } from '../errors';
import { RESERVED_WORDS } from './reserved-words';
import type {
  BooleanFunction,
  Comparator,
  Condition,
  DocumentPath,
  ExpressionLabel,
  Operand,
  Parsed,
  UpdateAction,
} from './syntax';
import { syntaxError, type Token, tokenize } from './tokens';

const COMPARATORS = new Set<string>(['=', '<>', '<', '<=', '>', '>=']);
const BOOLEAN_FUNCTIONS = new Set<string>([
  'attribute_exists',
  'attribute_not_exists',
  'attribute_type',
  'begins_with',
  'contains',
]);
const ARITY: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
  if_not_exists: 2,
  list_append: 2,
};
/** Functions whose first operand must be a document path. */
const ON_A_PATH = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'size']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);
const UPDATE_CLAUSES = new Set(['SET', 'REMOVE', 'ADD', 'DELETE']);

/**
 * Recursive descent over DynamoDB's expression grammar, with its precedence (loosest first):
 * OR, AND, NOT, then comparisons, BETWEEN, IN and functions. Keywords are case-insensitive,
 * function names are not.
 */
class Parser {
  private readonly tokens: Token[];
  private position = 0;
  readonly names = new Set<string>();
  readonly values = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly label: ExpressionLabel,
  ) {
    this.tokens = tokenize(text, label);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private fail(token = this.peek()): never {
    throw syntaxError(this.label, this.text, token);
  }

  private invalid(message: string): never {
    throw validationError(`Invalid ${this.label}: ${message}`);
  }

  private isSymbol(text: string, offset = 0) {
    const token = this.peek(offset);
    return token.kind === 'symbol' && token.text === text;
  }

  private isKeyword(word: string) {
    const token = this.peek();
    return token.kind === 'identifier' && token.text.toUpperCase() === word;
  }

  private expectSymbol(text: string) {
    if (!this.isSymbol(text)) this.fail();
    this.next();
  }

  end() {
    if (this.peek().kind !== 'end') this.fail();
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.negation() };
    }
    return left;
  }

  private negation(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', condition: this.negation() };
    }
    return this.predicate();
  }

  private predicate(): Condition {
    if (this.isSymbol('(')) {
      this.next();
      const inner = this.condition();
      this.expectSymbol(')');
      return inner;
    }
    const token = this.peek();
    if (token.kind === 'identifier' && this.isSymbol('(', 1) && BOOLEAN_FUNCTIONS.has(token.text)) {
      this.next();
      const args = this.callArguments(token.text);
      const following = this.peek();
      if (
        (following.kind === 'symbol' && COMPARATORS.has(following.text)) ||
        this.isKeyword('BETWEEN') ||
        this.isKeyword('IN')
      ) {
        this.notAllowedHere(token.text);
      }
      return { kind: 'function', name: token.text as BooleanFunction, args };
    }
    const subject = this.operand();
    const following = this.peek();
    if (following.kind === 'symbol' && COMPARATORS.has(following.text)) {
      this.next();
      return {
        kind: 'comparison',
        comparator: following.text as Comparator,
        left: subject,
        right: this.operand(),
      };
    }
    if (this.isKeyword('BETWEEN')) {
      this.next();
      const lower = this.operand();
      if (!this.isKeyword('AND')) this.fail();
      this.next();
      return { kind: 'between', subject, lower, upper: this.operand() };
    }
    if (this.isKeyword('IN')) {
      this.next();
      this.expectSymbol('(');
      const candidates = [this.operand()];
      while (this.isSymbol(',')) {
        this.next();
        candidates.push(this.operand());
      }
      this.expectSymbol(')');
      return { kind: 'in', subject, candidates };
    }
    if (subject.kind === 'size') this.notAllowedHere('size');
    return this.fail();
  }

  private notAllowedHere(name: string): never {
    return this.invalid(
      `The function is not allowed to be used this way in an expression; function: ${name}`,
    );
  }

  private callArguments(name: string): Operand[] {
    this.expectSymbol('(');
    const args = [this.operand()];
    while (this.isSymbol(',')) {
      this.next();
      args.push(this.operand());
    }
    this.expectSymbol(')');
    if (args.length !== ARITY[name]) {
      this.invalid(
        `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`,
      );
    }
    if (ON_A_PATH.has(name) && args[0]?.kind !== 'path') {
      this.invalid(`Operator or function requires a document path; operator or function: ${name}`);
    }
    return args;
  }

  /** A path, a value, or a function that yields a value (size, or in updates two more). */
  operand(): Operand {
    const token = this.peek();
    if (token.kind === 'value') {
      this.next();
      this.values.add(token.text);
      return { kind: 'value', value: token.text };
    }
    if (token.kind === 'identifier' && this.isSymbol('(', 1)) {
      this.next();
      return this.functionOperand(token.text);
    }
    return { kind: 'path', path: this.path() };
  }

  private functionOperand(name: string): Operand {
    const updating = this.label === 'UpdateExpression';
    if (name === 'size' && !updating) {
      const [operand] = this.callArguments(name) as [Operand];
      return { kind: 'size', operand };
    }
    if (name === 'if_not_exists' && updating) {
      const [path, fallback] = this.callArguments(name) as [Operand, Operand];
      if (path.kind !== 'path') {
        this.invalid(
          `Operator or function requires a document path; operator or function: ${name}`,
        );
      }
      return { kind: 'if_not_exists', path: path.path, fallback };
    }
    if (name === 'list_append' && updating) {
      const [first, second] = this.callArguments(name) as [Operand, Operand];
      return { kind: 'list_append', first, second };
    }
    if (BOOLEAN_FUNCTIONS.has(name) || name in ARITY) {
      return this.invalid(`The function is not allowed in this expression; function: ${name}`);
    }
    return this.invalid(`Invalid function name; function: ${name}`);
  }

  path(): DocumentPath {
    const path: DocumentPath = [this.pathName()];
    for (;;) {
      if (this.isSymbol('.')) {
        this.next();
        path.push(this.pathName());
      } else if (this.isSymbol('[')) {
        this.next();
        const index = this.next();
        if (index.kind !== 'number') this.fail(index);
        this.expectSymbol(']');
        path.push({ kind: 'index', index: Number(index.text) });
      } else {
        return path;
      }
    }
  }

  private pathName(): DocumentPath[number] {
    const token = this.next();
    if (token.kind === 'name') {
      this.names.add(token.text);
      return { kind: 'placeholder', name: token.text };
    }
    if (token.kind !== 'identifier') this.fail(token);
    const word = token.text.toUpperCase();
    if (KEYWORDS.has(word) || (this.label === 'UpdateExpression' && UPDATE_CLAUSES.has(word))) {
      this.fail(token);
    }
    if (RESERVED_WORDS.has(word)) {
      this.invalid(`Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
    }
    return { kind: 'attribute', name: token.text };
  }

  /** SET, REMOVE, ADD and DELETE clauses, each at most once, in any order. */
  update(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    while (this.peek().kind !== 'end') {
      const keyword = this.next();
      const clause = keyword.text.toUpperCase();
      if (keyword.kind !== 'identifier' || !UPDATE_CLAUSES.has(clause)) this.fail(keyword);
      if (seen.has(clause)) {
        this.invalid(`The "${clause}" section can only be used once in an update expression;`);
      }
      seen.add(clause);
      actions.push(this.updateAction(clause));
      while (this.isSymbol(',')) {
        this.next();
        actions.push(this.updateAction(clause));
      }
    }
    if (actions.length === 0) this.fail();
    return actions;
  }

  private updateAction(clause: string): UpdateAction {
    const path = this.path();
    if (clause === 'REMOVE') return { kind: 'REMOVE', path };
    if (clause === 'SET') {
      this.expectSymbol('=');
      return { kind: 'SET', path, value: this.setValue() };
    }
    const value = this.next();
    if (value.kind !== 'value') this.fail(value);
    this.values.add(value.text);
    return { kind: clause as 'ADD' | 'DELETE', path, value: value.text };
  }

  private setValue(): Operand {
    const left = this.operand();
    if (this.isSymbol('+') || this.isSymbol('-')) {
      const operator = this.next().text as '+' | '-';
      return { kind: 'arithmetic', operator, left, right: this.operand() };
    }
    return left;
  }

  projection(): DocumentPath[] {
    const paths = [this.path()];
    while (this.isSymbol(',')) {
      this.next();
      paths.push(this.path());
    }
    return paths;
  }
}

const cache = new Map<string, Parsed<unknown>>();

/** Parses once per distinct expression: the simulation sends the same few over and over. */
const parsed = <T>(
  label: ExpressionLabel,
  text: string,
  rule: (parser: Parser) => T,
): Parsed<T> => {
  const kind = label === 'UpdateExpression' || label === 'ProjectionExpression' ? label : 'C';
  const cacheKey = `${kind}\u0000${text}`;
  const known = cache.get(cacheKey);
  if (known) return known as Parsed<T>;
  if (text.trim() === '')
    throw validationError(`Invalid ${label}: The expression can not be empty;`);
  const parser = new Parser(text, label);
  const tree = rule(parser);
  parser.end();
  const result = { tree, names: parser.names, values: parser.values };
  cache.set(cacheKey, result);
  return result;
};

export const parseCondition = (label: ExpressionLabel, text: string) =>
  parsed(label, text, (parser) => parser.condition());

export const parseUpdate = (text: string) =>
  parsed('UpdateExpression', text, (parser) => parser.update());

export const parseProjection = (text: string) =>
  parsed('ProjectionExpression', text, (parser) => parser.projection());
