import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDocumentClient } from '@users/shared/dynamo';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..');

/** Table names as each service defines them (serverless/tables.yml), for a given stage. */
const tablesOf = (
  service: 'command-service' | 'query-service',
  stage: string,
): Record<string, string> => {
  const text = readFileSync(join(ROOT, 'services', service, 'serverless/tables.yml'), 'utf8');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the Serverless variable, replaced literally
  return parse(text.replaceAll('${sls:stage}', stage));
};

/**
 * Where a script finds a stage's tables: `local` is the DynamoDB Local of `npm start`
 * (DYNAMODB_PORT, default 8000); any other stage is AWS with the default credential chain,
 * unless an endpoint (a DynamoDB Local) is given.
 */
export const stageConfig = (
  stage: string,
  options: { region?: string; endpoint?: string } = {},
) => {
  const { region } = options;
  const endpoint =
    options.endpoint ??
    (stage === 'local' ? `http://localhost:${process.env.DYNAMODB_PORT ?? '8000'}` : undefined);
  const commandTables = tablesOf('command-service', stage);
  const queryTables = tablesOf('query-service', stage);
  return {
    client: createDocumentClient({ endpoint, region }),
    eventsTable: commandTables.events as string,
    readModelTables: {
      detail: queryTables.detail as string,
      history: queryTables.history as string,
      listIndex: queryTables.listIndex as string,
    },
  };
};
