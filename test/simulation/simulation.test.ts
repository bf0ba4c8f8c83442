import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The simulation's fixed budget in `npm test`: the same runs every time, so that CI is repeatable;
 * `npm run simulate` explores new seeds. SIMULATION_SEED and SIMULATION_RUNS change it here. It
 * runs as its own process (`npm run simulate`), which loads the functions' handlers afresh for
 * each run, as a new Lambda environment would.
 */
const SEED = process.env.SIMULATION_SEED ?? '41';
const RUNS = process.env.SIMULATION_RUNS ?? '200';

const ROOT = join(__dirname, '..', '..');

const simulate = (args: string[]) => {
  const { status, stdout, stderr } = spawnSync(
    join(ROOT, 'node_modules/.bin/node'),
    ['--conditions=import', '-r', 'esbuild-register', 'test/simulation/cli.ts', ...args],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const lines = stdout.split('\n').filter((line) => !line.startsWith('run ') && line !== '');
  return { status, report: lines.join('\n'), errors: stderr };
};

describe('the whole stage, simulated under AWS semantics (docs/guarantees.md)', () => {
  it(`keeps every promise in ${RUNS} runs from seed ${SEED}`, () => {
    const budget = ['--minutes', '10'];
    const { status, report, errors } = simulate(['--seed', SEED, '--runs', RUNS, ...budget]);
    console.info(`simulation: ${report}`);
    // A failure shows the promise broken, the shrunk steps and how to replay them.
    expect({ status, report, errors: errors.slice(-2000) }).toMatchObject({ status: 0 });
  }, 660_000);

  it('keeps them in every run that once broke one (test/simulation/regressions)', () => {
    const { status, report } = simulate(['--replay', 'test/simulation/regressions']);
    expect({ status, report }).toMatchObject({ status: 0 });
  }, 120_000);
});
