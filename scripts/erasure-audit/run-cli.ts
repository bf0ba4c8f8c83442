import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The audit as `npm run erasure-audit --` runs it, for tests of its arguments and exit codes. */
export const runErasureAudit = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['-r', 'esbuild-register', 'scripts/erasure-audit.ts', ...args], {
    cwd: join(__dirname, '../..'),
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
