import type { AttributeValue } from '../attribute-values';

/**
 * Expression trees. `P` is how a document path is held and `V` how a value is: as written
 * (placeholders) once parsed, resolved once bound to a request's names and values.
 */
export type PathElement =
  | { kind: 'attribute'; name: string }
  | { kind: 'placeholder'; name: string }
  | { kind: 'index'; index: number };

export type DocumentPath = PathElement[];

/** A path with its names resolved: attribute names (strings) and list indexes (numbers). */
export type ResolvedPath = (string | number)[];

export type Operand<P = DocumentPath, V = string> =
  | { kind: 'path'; path: P }
  | { kind: 'value'; value: V }
  | { kind: 'size'; operand: Operand<P, V> }
  | { kind: 'if_not_exists'; path: P; fallback: Operand<P, V> }
  | { kind: 'list_append'; first: Operand<P, V>; second: Operand<P, V> }
  | { kind: 'arithmetic'; operator: '+' | '-'; left: Operand<P, V>; right: Operand<P, V> };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type BooleanFunction =
  | 'attribute_exists'
  | 'attribute_not_exists'
  | 'attribute_type'
  | 'begins_with'
  | 'contains';

export type Condition<P = DocumentPath, V = string> =
  | { kind: 'comparison'; comparator: Comparator; left: Operand<P, V>; right: Operand<P, V> }
  | { kind: 'between'; subject: Operand<P, V>; lower: Operand<P, V>; upper: Operand<P, V> }
  | { kind: 'in'; subject: Operand<P, V>; candidates: Operand<P, V>[] }
  | { kind: 'function'; name: BooleanFunction; args: Operand<P, V>[] }
  | { kind: 'and' | 'or'; left: Condition<P, V>; right: Condition<P, V> }
  | { kind: 'not'; condition: Condition<P, V> };

export type UpdateAction<P = DocumentPath, V = string> =
  | { kind: 'SET'; path: P; value: Operand<P, V> }
  | { kind: 'REMOVE'; path: P }
  | { kind: 'ADD' | 'DELETE'; path: P; value: V };

export type BoundOperand = Operand<ResolvedPath, AttributeValue>;
export type BoundCondition = Condition<ResolvedPath, AttributeValue>;
export type BoundUpdateAction = UpdateAction<ResolvedPath, AttributeValue>;

/** A parsed expression and the placeholders it uses. */
export type Parsed<T> = { tree: T; names: ReadonlySet<string>; values: ReadonlySet<string> };

/** How DynamoDB names each expression parameter in its messages. */
export type ExpressionLabel =
  | 'ConditionExpression'
  | 'FilterExpression'
  | 'KeyConditionExpression'
  | 'UpdateExpression'
  | 'ProjectionExpression';
