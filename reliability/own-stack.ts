import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackPorts } from '../scripts/local-stack/offline';
import { STATE_DIR } from '../scripts/local-stack/paths';
import { type LocalStack, startLocalStack } from '../scripts/local-stack/stack';

/**
 * A whole stack for one drill file, on ports of its own, with a fault file its projector reads
 * (PROJECTOR_FAULT_FILE): started before the file's tests, stopped after them. For drills that
 * would disturb the shared e2e stack.
 */
export const ownStack = (name: string, ports: StackPorts) => {
  const workDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const drill = {
    stack: undefined as unknown as LocalStack,
    ports,
    faultFile: join(workDir, 'faults.json'),
  };
  beforeAll(async () => {
    mkdirSync(STATE_DIR, { recursive: true });
    drill.stack = await startLocalStack({
      ports,
      checkpointFile: join(workDir, 'checkpoints.json'),
      output: { logFile: join(STATE_DIR, `${name}-stack.log`) },
      env: { LOG_LEVEL: 'WARN', PROJECTOR_FAULT_FILE: drill.faultFile },
    });
  }, 180_000);
  afterAll(async () => {
    await drill.stack?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });
  return drill;
};
