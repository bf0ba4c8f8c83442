import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsDataKeys } from '@users/shared';
import { createDocumentClient } from '@users/shared/dynamo';
import { parse } from 'yaml';
import { ROOT } from './paths';

type Service = 'command-service' | 'query-service' | 'stats-service';

/** How each service's serverless config names its table names (`custom.<prefix>.<name>`). */
const TABLE_NAMES_PREFIX: Record<Service, string> = {
  'command-service': 'commandTables',
  'query-service': 'queryTables',
  'stats-service': 'statsTables',
};

const readYaml = (file: string, stage: string) =>
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the Serverless variable, replaced literally
  parse(readFileSync(join(ROOT, file), 'utf8').replaceAll('${sls:stage}', stage));

const namesOf = (service: Service, stage: string): Record<string, string> =>
  readYaml(`services/${service}/serverless/tables.yml`, stage);

/** A stage's table names, as each service defines them in its serverless/tables.yml. */
/** The tables the command function writes (their logical ids in the command service's stack). */
export const COMMAND_FUNCTION_TABLES = [
  'EventsTable',
  'IdempotencyTable',
  'DataKeysTable',
  'ErasureReceiptsTable',
  'PendingErasuresTable',
] as const;

export const tableNames = (stage: string) => {
  const command = namesOf('command-service', stage);
  const query = namesOf('query-service', stage);
  const stats = namesOf('stats-service', stage);
  return {
    events: command.events as string,
    idempotency: command.idempotency as string,
    dataKeys: command.dataKeys as string,
    erasureReceipts: command.erasureReceipts as string,
    pendingErasures: command.pendingErasures as string,
    detail: query.detail as string,
    history: query.history as string,
    listIndex: query.listIndex as string,
    pendingErasuresIndex: query.pendingErasuresIndex as string,
    projections: query.projections as string,
    exports: query.exports as string,
    recentEvents: readYaml('services/query-service/serverless/console-true.yml', stage)
      .recentEventsTable as string,
    stats: stats.figures as string,
    countedEvents: stats.countedEvents as string,
  };
};

const TABLES = {
  EventsTable: 'command-service',
  IdempotencyTable: 'command-service',
  DataKeysTable: 'command-service',
  ErasureReceiptsTable: 'command-service',
  PendingErasuresTable: 'command-service',
  UserDetailTable: 'query-service',
  UserHistoryTable: 'query-service',
  RecentEventsTable: 'query-service',
  ProjectionsTable: 'query-service',
  ExportsTable: 'query-service',
  StatsTable: 'stats-service',
  CountedEventsTable: 'stats-service',
} as const satisfies Record<string, Service>;

/** Where each table is declared, when not in its service's serverless/resources.yml. */
const DECLARED_IN: Partial<Record<keyof typeof TABLES, string>> = {
  RecentEventsTable: 'console-true.yml',
};

export type LogicalTable = keyof typeof TABLES;
export const ALL_TABLES = Object.keys(TABLES) as LogicalTable[];
export const READ_MODEL_TABLES: LogicalTable[] = [
  'UserDetailTable',
  'UserHistoryTable',
  'RecentEventsTable',
  // A crash recovery rebuilds the first projection version and makes it live again.
  'ProjectionsTable',
];

/** Only the keys CreateTable understands; the rest of the CloudFormation (PITR, TTL, ...) is AWS-side. */
const CREATE_TABLE_KEYS = [
  'AttributeDefinitions',
  'KeySchema',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
  'StreamSpecification',
] as const;

/** A table's CreateTable input, from the very CloudFormation definition that is deployed. */
const definitionOf = (logicalId: LogicalTable, stage: string): CreateTableCommandInput => {
  const service = TABLES[logicalId];
  const names = namesOf(service, stage);
  const prefix = TABLE_NAMES_PREFIX[service];
  const file = DECLARED_IN[logicalId] ?? 'resources.yml';
  const text = readFileSync(join(ROOT, `services/${service}/serverless/${file}`), 'utf8');
  const resolved = text.replace(
    new RegExp(`\\$\\{self:custom\\.${prefix}\\.(\\w+)\\}`, 'g'),
    (_, name: string) => names[name] as string,
  );
  const declared = parse(resolved);
  const resources = declared.Resources ?? declared.resources.Resources;
  const properties = resources[logicalId].Properties as Record<string, unknown>;
  const input = Object.fromEntries(
    CREATE_TABLE_KEYS.filter((key) => key in properties).map((key) => [key, properties[key]]),
  ) as unknown as CreateTableCommandInput;
  return input.StreamSpecification
    ? { ...input, StreamSpecification: { ...input.StreamSpecification, StreamEnabled: true } }
    : input;
};

/** Every table of a stage, as CreateTable takes it: the deployed definition under the stage's name. */
export const stageTableInputs = (stage: string): CreateTableCommandInput[] => {
  const names = stageTableNames(stage, ALL_TABLES);
  return ALL_TABLES.map((logicalId) => ({
    ...definitionOf(logicalId, stage),
    TableName: names[logicalId],
  }));
};

/**
 * Creates the tables that do not exist yet, each under the name given (by default a fresh one,
 * so that test files never share a table), and resolves with the names.
 */
export const createTables = async <T extends LogicalTable>(
  endpoint: string,
  logicalIds: readonly T[],
  { names = {}, stage = 'local' }: { names?: Partial<Record<T, string>>; stage?: string } = {},
): Promise<Record<T, string>> => {
  const client = createDocumentClient({ endpoint });
  const { TableNames: existing = [] } = await client.send(new ListTablesCommand({}));
  const created = {} as Record<T, string>;
  await Promise.all(
    logicalIds.map(async (logicalId) => {
      const TableName = names[logicalId] ?? `${logicalId}-${randomUUID()}`;
      if (!existing.includes(TableName)) {
        await client.send(new CreateTableCommand({ ...definitionOf(logicalId, stage), TableName }));
      }
      created[logicalId] = TableName;
    }),
  );
  return created;
};

/** A stage's own table names for the given tables. */
export const stageTableNames = <T extends LogicalTable>(
  stage: string,
  logicalIds: readonly T[],
) => {
  const names = tableNames(stage);
  const byLogicalId: Record<LogicalTable, string> = {
    EventsTable: names.events,
    IdempotencyTable: names.idempotency,
    DataKeysTable: names.dataKeys,
    ErasureReceiptsTable: names.erasureReceipts,
    PendingErasuresTable: names.pendingErasures,
    UserDetailTable: names.detail,
    UserHistoryTable: names.history,
    RecentEventsTable: names.recentEvents,
    ProjectionsTable: names.projections,
    ExportsTable: names.exports,
    StatsTable: names.stats,
    CountedEventsTable: names.countedEvents,
  };
  return Object.fromEntries(logicalIds.map((id) => [id, byLogicalId[id]])) as Record<T, string>;
};

export const deleteTables = async (endpoint: string, names: Record<string, string>) => {
  const client = createDocumentClient({ endpoint });
  const { TableNames: existing = [] } = await client.send(new ListTablesCommand({}));
  await Promise.all(
    Object.values(names)
      .filter((TableName) => existing.includes(TableName))
      .map((TableName) => client.send(new DeleteTableCommand({ TableName }))),
  );
};

/**
 * Where a script finds a stage's tables: `local` is the DynamoDB Local of `npm start`
 * (DYNAMODB_PORT, default 8000); any other stage is AWS with the default credential chain,
 * unless an endpoint (a DynamoDB Local) is given.
 */
/** The command-line options that name a stage and where it runs, for `parseArgs`. */
export const STAGE_OPTIONS = {
  stage: { type: 'string', default: 'local' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
} as const;

export const stageConfig = (
  stage: string,
  options: {
    region?: string;
    endpoint?: string;
    kmsEndpoint?: string;
    /** Another stage's data keys (a restore drill reads prod's events with prod's keys). */
    dataKeysTable?: string;
  } = {},
) => {
  const local = stage === 'local' || options.endpoint !== undefined;
  const endpoint =
    options.endpoint ??
    (stage === 'local' ? `http://localhost:${process.env.DYNAMODB_PORT ?? '8000'}` : undefined);
  const names = { ...tableNames(stage) };
  if (options.dataKeysTable) names.dataKeys = options.dataKeysTable;
  const client = createDocumentClient({ endpoint, region: options.region });
  const kmsEndpoint =
    options.kmsEndpoint ??
    (local ? `http://localhost:${process.env.LOCAL_AWS_PORT ?? '3004'}` : undefined);
  const kms = new KMSClient({
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(kmsEndpoint && {
      endpoint: kmsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });
  return {
    client,
    /** The stage's data keys (KMS alias `alias/users-<stage>`; locally the stand-in's). */
    keys: new KmsDataKeys(client, kms, {
      table: names.dataKeys,
      kmsKeyId: `alias/users-${local ? 'local' : stage}`,
    }),
    eventsTable: names.events,
    idempotencyTable: names.idempotency,
    dataKeysTable: names.dataKeys,
    erasureReceiptsTable: names.erasureReceipts,
    pendingErasuresTable: names.pendingErasures,
    projectionsTable: names.projections,
    statsTables: { figures: names.stats, countedEvents: names.countedEvents },
    readModelTables: {
      detail: names.detail,
      history: names.history,
      listIndex: names.listIndex,
      pendingErasuresIndex: names.pendingErasuresIndex,
      recentEvents: names.recentEvents,
    },
  };
};

export type StageConfig = ReturnType<typeof stageConfig>;
