import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
} from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');

/** Only the keys CreateTable understands; the rest of the CloudFormation (PITR, TTL, ...) is AWS-side. */
const CREATE_TABLE_KEYS = [
  'AttributeDefinitions',
  'KeySchema',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
  'StreamSpecification',
] as const;

type TableResource = { Type: string; Properties: Record<string, unknown> };

/** `${self:custom.queryTables.listIndex}` and the like, as each service's tables.yml defines them. */
const resolveTableNames = (text: string) =>
  text.replace(
    /\$\{self:custom\.(command|query)Tables\.(\w+)\}/g,
    (_, service: string, name: string) => {
      const tables = parse(
        readFileSync(join(ROOT, `services/${service}-service/serverless/tables.yml`), 'utf8'),
      );
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the Serverless variable, replaced literally
      return String(tables[name]).replaceAll('${sls:stage}', 'test');
    },
  );

/**
 * Creates, under fresh names, the tables a service declares in its serverless/resources.yml: the
 * integration tests run against the very definitions that are deployed.
 */
export const createTablesFrom = async <Logical extends string>(
  resourcesFile: string,
  logicalIds: readonly Logical[],
  {
    endpoint = testEndpoint(),
    names = {},
  }: { endpoint?: string; names?: Partial<Record<Logical, string>> } = {},
): Promise<Record<Logical, string>> => {
  const { Resources } = parse(
    resolveTableNames(readFileSync(join(ROOT, resourcesFile), 'utf8')),
  ) as {
    Resources: Record<string, TableResource>;
  };
  const client = createDocumentClient({ endpoint });
  const created = {} as Record<Logical, string>;
  await Promise.all(
    logicalIds.map(async (logicalId) => {
      const resource = Resources[logicalId];
      if (resource?.Type !== 'AWS::DynamoDB::Table')
        throw new Error(`No table ${logicalId} in ${resourcesFile}`);
      const input = Object.fromEntries(
        CREATE_TABLE_KEYS.filter((key) => key in resource.Properties).map((key) => [
          key,
          resource.Properties[key],
        ]),
      ) as Partial<CreateTableCommandInput>;
      const TableName = names[logicalId] ?? `${logicalId}-${randomUUID()}`;
      const StreamSpecification = input.StreamSpecification && {
        ...input.StreamSpecification,
        StreamEnabled: true,
      };
      await client.send(
        new CreateTableCommand({
          ...input,
          TableName,
          StreamSpecification,
        } as CreateTableCommandInput),
      );
      created[logicalId] = TableName;
    }),
  );
  return created;
};

export const deleteTables = async (names: Record<string, string>, endpoint = testEndpoint()) => {
  const client = createDocumentClient({ endpoint });
  await Promise.all(
    Object.values(names).map((TableName) => client.send(new DeleteTableCommand({ TableName }))),
  );
};

export const testEndpoint = (): string => {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run integration tests through jest');
  return endpoint;
};

export const testDocumentClient = () => createDocumentClient({ endpoint: testEndpoint() });
