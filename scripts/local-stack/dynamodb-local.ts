import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { DYNAMODB_LOCAL_DIR } from './paths';
import { requireFreePort } from './ports';

export type DynamoDbLocal = { endpoint: string; process: ChildProcess };

/**
 * In memory unless `dbPath` is given (a folder that survives restarts of the process). Its own
 * process group, so a Ctrl-C meant for the stack reaches it only once the stack has stopped.
 */
export const startDynamoDbLocal = async (
  port: number,
  dbPath?: string,
  onSpawn: (child: ChildProcess) => void = () => {},
): Promise<DynamoDbLocal> => {
  await requireFreePort(port, 'DynamoDB Local');
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(DYNAMODB_LOCAL_DIR, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-sharedDb',
      ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
    ],
    { stdio: 'ignore', detached: true },
  );
  onSpawn(child);
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
