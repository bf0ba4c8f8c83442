import { bindCondition } from './binding';
import { resolvePath } from './document-paths';
import { parseCondition, parseProjection, parseUpdate } from './parser';
import { type Projection, projectionOf } from './projections';
import { type ExpressionParameters, Substitutions } from './substitutions';
import type { BoundCondition, BoundUpdateAction, ExpressionLabel } from './syntax';
import { bindUpdate } from './updates';

/**
 * The expressions of one request (or of one transaction item): parsed, bound to the request's
 * names and values and checked together, as DynamoDB checks them before touching any item.
 */
export class RequestExpressions {
  private readonly substitutions: Substitutions;

  constructor(parameters: ExpressionParameters) {
    this.substitutions = new Substitutions(parameters);
  }

  condition(label: ExpressionLabel, text: string | undefined): BoundCondition | undefined {
    if (text === undefined) return undefined;
    const parsed = parseCondition(label, text);
    this.substitutions.use(parsed, label);
    return bindCondition(parsed.tree, this.substitutions, label);
  }

  update(text: string | undefined): BoundUpdateAction[] | undefined {
    if (text === undefined) return undefined;
    const parsed = parseUpdate(text);
    this.substitutions.use(parsed, 'UpdateExpression');
    return bindUpdate(parsed.tree, this.substitutions);
  }

  projection(text: string | undefined): Projection | undefined {
    if (text === undefined) return undefined;
    const parsed = parseProjection(text);
    this.substitutions.use(parsed, 'ProjectionExpression');
    return projectionOf(
      parsed.tree.map((path) => resolvePath(path, this.substitutions)),
      'ProjectionExpression',
    );
  }

  /** Once every expression is in: every name and value given must have been used. */
  checkAllUsed(): void {
    this.substitutions.checkAllUsed();
  }
}
