'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

/**
 * The read-model tables of each projection version a stage keeps (docs/projections.md), from the
 * `projectionVersions` stage parameter ("1", then "1,2" while version 2 is built beside it): the
 * first version's tables are resources.yml's; each later one gets a copy named with -v<n>,
 * retained when the stack lets go of it (`npm run projections -- drop` deletes it). The IAM
 * statements of functions.yml read their resource lists from here.
 */
module.exports = async ({ resolveVariable }) => {
  const text = String(await resolveVariable('param:projectionVersions'));
  const versions = text.split(',').map((v) => Number(v.trim()));
  if (
    versions[0] !== 1 ||
    versions.some((v, i) => !Number.isInteger(v) || (i > 0 && v <= versions[i - 1]))
  ) {
    throw new Error(
      `projectionVersions must list 1 and then later versions in order, like "1,2", not "${text}"`,
    );
  }
  const names = {
    detail: await resolveVariable('self:custom.queryTables.detail'),
    history: await resolveVariable('self:custom.queryTables.history'),
    listIndex: await resolveVariable('self:custom.queryTables.listIndex'),
    pendingErasuresIndex: await resolveVariable('self:custom.queryTables.pendingErasuresIndex'),
  };
  const suffix = (v) => (v === 1 ? '' : `V${v}`);
  const arn = (logicalId, v) => ({ 'Fn::GetAtt': [`${logicalId}${suffix(v)}`, 'Arn'] });
  const index = (v, name) => ({ 'Fn::Join': ['', [arn('UserDetailTable', v), `/index/${name}`]] });

  const variable = (name) => `\${self:custom.queryTables.${name}}`;
  const declared = parse(readFileSync(join(__dirname, 'resources.yml'), 'utf8')).Resources;
  const copyOf = (logicalId, table, v) => {
    const { Properties } = declared[logicalId];
    // The index names, as the Serverless variables resources.yml writes them in (replaced literally).
    const properties = JSON.parse(
      JSON.stringify(Properties)
        .replaceAll(variable('listIndex'), names.listIndex)
        .replaceAll(variable('pendingErasuresIndex'), names.pendingErasuresIndex),
    );
    return {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { ...properties, TableName: `${table}-v${v}` },
    };
  };
  const later = versions.filter((v) => v > 1);
  /** Every later version's table of that name (`-v2`, `-v3`, ...), as an ARN pattern. */
  const later_ = (table, suffix = '') => ({
    'Fn::Sub': `arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/${table}-v*${suffix}`,
  });
  return {
    resources: {
      Resources: Object.fromEntries(
        later.flatMap((v) => [
          [`UserDetailTable${suffix(v)}`, copyOf('UserDetailTable', names.detail, v)],
          [`UserHistoryTable${suffix(v)}`, copyOf('UserHistoryTable', names.history, v)],
        ]),
      ),
    },
    // The first version's tables, and every later one's by name: a deploy that leaves a version
    // out of projectionVersions (its tables are retained) must not cut the functions off from it
    // while the registry still says it is live or followed.
    tables: {
      detail: [arn('UserDetailTable', 1), later_(names.detail)],
      history: [arn('UserHistoryTable', 1), later_(names.history)],
      listIndex: [index(1, names.listIndex), later_(names.detail, `/index/${names.listIndex}`)],
      pendingErasuresIndex: [
        index(1, names.pendingErasuresIndex),
        later_(names.detail, `/index/${names.pendingErasuresIndex}`),
      ],
    },
  };
};
