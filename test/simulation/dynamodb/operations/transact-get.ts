import type { Item } from '../attribute-values';
import type { Database } from '../database';
import { validationError } from '../errors';
import { project } from '../expressions/projections';
import { RequestExpressions } from '../expressions/request-expressions';
import type { ExpressionParameters } from '../expressions/substitutions';
import { checkKey } from '../keys';
import { checkItemCount, lockKeysOf, refuseHeld } from './transactions';

type TransactGetItemsInput = {
  TransactItems: {
    Get: ExpressionParameters & { TableName: string; Key: Item; ProjectionExpression?: string };
  }[];
};

/** Strongly consistent reads of up to 100 items at once, cancelled by a transaction holding any. */
export const transactGetItems = (db: Database, input: TransactGetItemsInput) => {
  checkItemCount(input.TransactItems);
  const gets = input.TransactItems.map(({ Get }) => {
    if (!Get) throw validationError('TransactItems can only contain Get');
    const table = db.table(Get.TableName);
    const key = checkKey(Get.Key, table.definition);
    const expressions = new RequestExpressions(Get);
    const projection = expressions.projection(Get.ProjectionExpression);
    expressions.checkAllUsed();
    return { table, key, projection };
  });
  refuseHeld(db, lockKeysOf(db, gets));
  return {
    Responses: gets.map(({ table, key, projection }) => {
      const item = table.read(key)?.item;
      if (!item) return {};
      return { Item: projection ? project(item, projection) : item };
    }),
  };
};
