import type { TableDefinition } from './definitions';
import { type TableDeclaration, tableDefinitionOf } from './table-definitions';

export type CloudFormationResources = Record<
  string,
  { Type?: string; Properties?: TableDeclaration }
>;

/**
 * The tables a template's `Resources` declare (AWS::DynamoDB::Table): keys, global secondary
 * indexes and stream, the rest (billing, TTL, PITR) being AWS-side. Table names must be
 * resolved already; a table without one is named by its logical id.
 */
export const tableDefinitionsFromCloudFormation = (
  resources: CloudFormationResources,
): TableDefinition[] =>
  Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, { Properties = {} }]) =>
      tableDefinitionOf(Properties, Properties.TableName ?? logicalId),
    );
