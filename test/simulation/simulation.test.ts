import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { explore, replay } from './explore';

/**
 * The simulation's fixed budget in `npm test` (about a minute on two busy cores): the same runs
 * every time, so that CI is repeatable; `npm run simulate` explores new seeds. SIMULATION_SEED
 * and SIMULATION_RUNS change it here.
 */
const SEED = Number(process.env.SIMULATION_SEED ?? 20261207);
const RUNS = Number(process.env.SIMULATION_RUNS ?? 400);

const REGRESSIONS = join(__dirname, 'regressions');

describe('the whole stage, simulated under AWS semantics (docs/guarantees.md)', () => {
  it(`keeps every promise in ${RUNS} runs from seed ${SEED}`, async () => {
    const { failure, summary } = await explore({
      seed: SEED,
      runs: RUNS,
      maxSteps: 60,
      shrinkMs: 180_000,
    });
    console.info(`simulation: ${summary}`);
    // A failure shows the promise broken, the shrunk steps and how to replay them.
    expect(failure).toBeUndefined();
  }, 300_000);

  it.each(readdirSync(REGRESSIONS).filter((file) => file.endsWith('.json')))(
    'keeps them in the run that once broke one: %s',
    async (file) => {
      expect((await replay(join(REGRESSIONS, file))).violations).toEqual([]);
    },
    60_000,
  );
});
