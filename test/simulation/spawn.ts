import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * `npm run simulate -- ...args` as its own process, which loads the functions' handlers afresh for
 * each run, as a new Lambda environment would: its status, its summary (not the per-run lines)
 * and what it wrote to stderr.
 */
export const simulate = (args: string[]) => {
  const { status, stdout, stderr } = spawnSync(
    join(ROOT, 'node_modules/.bin/node'),
    ['--conditions=import', '-r', 'esbuild-register', 'test/simulation/cli.ts', ...args],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const lines = stdout.split('\n').filter((line) => !line.startsWith('run ') && line !== '');
  return { status, report: lines.join('\n'), errors: stderr };
};

/** Seed and runs of a fixed budget (the same runs every time: CI is repeatable), overridable. */
export const budget = (runs: number) => ({
  seed: process.env.SIMULATION_SEED ?? '41',
  runs: process.env.SIMULATION_RUNS ?? String(runs),
});
