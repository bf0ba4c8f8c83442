import fc from 'fast-check';
import { counter, list, n, name, s, tag, tagSet, type Values, version } from './items';

/**
 * Expression shapes the project writes (conditions on versions, leases and idempotency keys,
 * counters, sets, lists, a sparse index key), plus a few DynamoDB refuses.
 */

export type Expression = { expression: string; names?: Record<string, string>; values?: Values };

export const shape = (
  expression: string,
  values: fc.Arbitrary<Values> = fc.constant({}),
  names?: Record<string, string>,
): fc.Arbitrary<Expression> =>
  values.map((v) => ({
    expression,
    ...(names && { names }),
    ...(Object.keys(v).length > 0 && { values: v }),
  }));

export const NAME = { '#name': 'Name' };

/** Conditions as the project writes them. */
const acceptedCondition: fc.Arbitrary<Expression> = fc.oneof(
  shape('attribute_not_exists(pk)'),
  shape('attribute_exists(pk)'),
  shape('attribute_not_exists(pk) OR Version <= :version', fc.record({ ':version': version })),
  shape('Version = :version', fc.record({ ':version': version })),
  shape('#name = :name AND attribute_not_exists(Erased)', fc.record({ ':name': name }), NAME),
  shape('attribute_not_exists(Live) OR Live <> :version', fc.record({ ':version': version })),
  shape('attribute_not_exists(pk) OR ExpiresAt < :now', fc.record({ ':now': version })),
  shape('Tally <> :a AND Tally <> :b', fc.record({ ':a': counter, ':b': counter })),
  shape('NOT Version > :version', fc.record({ ':version': version })),
  shape('Version BETWEEN :low AND :high', fc.record({ ':low': version, ':high': version })),
  shape('#name IN (:a, :b)', fc.record({ ':a': name, ':b': name }), NAME),
  shape('begins_with(#name, :prefix)', fc.record({ ':prefix': name }), NAME),
  shape('contains(Tags, :element)', fc.record({ ':element': fc.constantFrom('a', 'z').map(s) })),
  shape('size(Tags) >= :size', fc.record({ ':size': fc.integer({ min: 0, max: 3 }).map(n) })),
  shape('size(#name) = :size', fc.record({ ':size': fc.integer({ min: 0, max: 4 }).map(n) }), NAME),
  shape('attribute_type(Tally, :type)', fc.record({ ':type': fc.constantFrom('N', 'S').map(s) })),
  shape(
    'Info.x = :name OR Entries[0] > :version',
    fc.record({ ':name': name, ':version': version }),
  ),
  shape(
    '(Version < :version OR Erased = :true) AND NOT attribute_exists(tag)',
    fc.record({ ':version': version, ':true': fc.constant({ BOOL: true }) }),
  ),
);

/** Conditions on what the index projects (beside its keys): a Query of it may filter on these. */
export const onProjected: fc.Arbitrary<Expression> = fc.oneof(
  shape('Version = :version', fc.record({ ':version': version })),
  shape('NOT Version > :version', fc.record({ ':version': version })),
  shape('attribute_exists(Version)'),
);

/** ... and, less often, conditions DynamoDB refuses or that can never hold. */
export const condition: fc.Arbitrary<Expression> = fc.oneof(
  { weight: 12, arbitrary: acceptedCondition },
  shape('Tally < :name', fc.record({ ':name': name })),
  shape('Version = :version', fc.record({ ':version': version, ':unused': version })),
  shape('Name = :name', fc.record({ ':name': name })),
  shape('Version < :flag', fc.record({ ':flag': fc.constant({ BOOL: true }) })),
);

/**
 * Updates as the project writes them; `nested` ones write inside a map or a list. Some are kept
 * out of transactions, where DynamoDB Local refuses the whole request for an update that cannot
 * apply to its item and AWS cancels the transaction with reason ValidationError; and where Local
 * answers a key update with fewer cancellation reasons than items.
 */
type Update = Expression & { nested?: boolean; notInTransactions?: boolean };

const acceptedUpdate: fc.Arbitrary<Update> = fc.oneof(
  shape(
    'SET Version = :version, #name = :name REMOVE tag',
    fc.record({ ':version': version, ':name': name }),
    NAME,
  ),
  shape('SET Version = :version', fc.record({ ':version': version })),
  shape('SET Tally = Tally + :n', fc.record({ ':n': counter })).map((e) => ({
    ...e,
    notInTransactions: true,
  })),
  shape(
    'SET Tally = if_not_exists(Tally, :zero) - :n',
    fc.record({ ':zero': fc.constant(n(0)), ':n': counter }),
  ),
  shape('ADD Tally :n', fc.record({ ':n': counter })),
  shape('ADD Tags :set', fc.record({ ':set': tagSet })),
  shape('DELETE Tags :set', fc.record({ ':set': tagSet })),
  shape(
    'SET Entries = list_append(if_not_exists(Entries, :empty), :more)',
    fc.record({ ':empty': fc.constant({ L: [] }), ':more': list }),
  ),
  shape('REMOVE Email, Erased'),
  shape('REMOVE Entries[0], Entries[1]').map((e) => ({
    ...e,
    nested: true,
    notInTransactions: true,
  })),
  shape('SET Info.x = :name', fc.record({ ':name': name })).map((e) => ({
    ...e,
    nested: true,
    notInTransactions: true,
  })),
  shape('SET tag = :tag', fc.record({ ':tag': tag })),
  shape(
    'SET Erased = :true, Email = :null REMOVE tag',
    fc.record({ ':true': fc.constant({ BOOL: true }), ':null': fc.constant({ NULL: true }) }),
  ),
);

export const update: fc.Arbitrary<Update> = fc.oneof(
  { weight: 12, arbitrary: acceptedUpdate },
  shape('ADD #name :name', fc.record({ ':name': name }), NAME),
  shape('SET pk = :name', fc.record({ ':name': name })).map((e) => ({
    ...e,
    notInTransactions: true,
  })),
  shape('SET Version = :version REMOVE Version', fc.record({ ':version': version })),
);

export const expressionParameters = (e: Expression, prefix = '') => ({
  ...(e.names && { ExpressionAttributeNames: e.names }),
  ...(e.values && { ExpressionAttributeValues: e.values }),
  ...(prefix && { [`${prefix}Expression`]: e.expression }),
});

/** Two expressions of one request share its names and values. */
export const merged = (expressions: [string, Expression | undefined][]) => {
  const names: Record<string, string> = {};
  const values: Values = {};
  const parameters: Record<string, string> = {};
  for (const [parameter, e] of expressions) {
    if (!e) continue;
    parameters[parameter] = e.expression;
    Object.assign(names, e.names);
    Object.assign(values, e.values);
  }
  return {
    ...parameters,
    ...(Object.keys(names).length > 0 && { ExpressionAttributeNames: names }),
    ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
  };
};
