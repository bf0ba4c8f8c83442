import { budget, simulate } from './spawn';

/**
 * The simulation in `npm test`: a short fixed budget (the drills run 300 runs of the same seed,
 * these 50 first among them: simulation.drill.test.ts); `npm run simulate` explores new seeds.
 * SIMULATION_SEED and SIMULATION_RUNS change it.
 */
const { seed, runs } = budget(50);

describe('the whole stage, simulated under AWS semantics (docs/guarantees.md)', () => {
  it(`keeps every promise in ${runs} runs from seed ${seed}`, () => {
    const { status, report, errors } = simulate(['--seed', seed, '--runs', runs, '--minutes', '5']);
    console.info(`simulation: ${report}`);
    // A failure shows the promise broken, the shrunk steps and how to replay them.
    expect({ status, report, errors: errors.slice(-2000) }).toMatchObject({ status: 0 });
  }, 360_000);

  it('keeps them in every run that once broke one (test/simulation/regressions)', () => {
    const { status, report } = simulate(['--replay', 'test/simulation/regressions']);
    expect({ status, report }).toMatchObject({ status: 0 });
  }, 120_000);
});
