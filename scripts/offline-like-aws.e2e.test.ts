import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLossyProxy } from '../reliability/lossy-proxy';
import { startDynamoDbLocal } from './local-stack/dynamodb-local';
import { startLocalAws } from './local-stack/local-aws';
import { startOffline } from './local-stack/offline';
import { STATE_DIR } from './local-stack/paths';
import { stopProcessGroup } from './local-stack/processes';
import { ALL_TABLES, createTables, stageTableNames } from './local-stack/tables';

const PORTS = { http: 3750, lambda: 3752, dynamodb: 8850, proxy: 8851, localAws: 3754 };

describe('a function that times out under npm start', () => {
  it('answers 504 JSON with a message, no stack trace and no path', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'timeout-'));
    mkdirSync(STATE_DIR, { recursive: true });
    const dynamodb = await startDynamoDbLocal(PORTS.dynamodb);
    const localAws = await startLocalAws(PORTS.localAws);
    const proxy = await startLossyProxy({
      port: PORTS.proxy,
      targetPort: PORTS.dynamodb,
      loseShare: 0,
      // Reads too: a function gives a stalled answer up within its own time (503 when too little
      // is left to write), so only a function shorter than one request's timeout runs past it.
      stall: 'items',
    });
    try {
      await createTables(dynamodb.endpoint, ALL_TABLES, {
        names: stageTableNames('local', ALL_TABLES),
      });
      const stack = await startOffline(
        { ...PORTS, dynamodb: PORTS.proxy },
        {
          checkpointFile: join(workDir, 'checkpoints.json'),
          output: { logFile: join(STATE_DIR, 'timeout.log') },
          // Shorter than one request's timeout (1.5 s): the invocation is cut off mid-call.
          env: { FUNCTION_TIMEOUT_SECONDS: '1' },
        },
      );
      try {
        const response = await fetch(`${stack.baseUrl}/command`, {
          method: 'POST',
          body: JSON.stringify({
            user_id: 'stuck',
            event_type: 'USER_CREATED',
            payload: { name: 'Stuck', email: 'stuck@example.com' },
          }),
        });
        const text = await response.text();
        expect(response.status).toBe(504);
        expect(response.headers.get('content-type')).toMatch(/application\/json/);
        expect(JSON.parse(text)).toEqual({
          message: 'The function timed out',
          code: 'FUNCTION_TIMEOUT',
          type: 'https://github.com/users-cqrs/errors#FUNCTION_TIMEOUT',
          title: 'Function timed out',
          status: 504,
          detail: 'The function timed out',
        });
        expect(text).not.toMatch(/stack|\.js|\/work\//i);
      } finally {
        await stack.stop();
      }
    } finally {
      await proxy.close();
      await localAws.stop();
      await stopProcessGroup(dynamodb.process, 'SIGKILL');
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 120_000);
});
