import { budget, simulate } from './spawn';

/** The simulation in `npm run test:drills`: 300 runs of the seed `npm test` takes 50 of. */
const { seed, runs } = budget(300);

describe('the whole stage, simulated under AWS semantics, at length', () => {
  it(`keeps every promise in ${runs} runs from seed ${seed}`, () => {
    const { status, report, errors } = simulate([
      '--seed',
      seed,
      '--runs',
      runs,
      '--minutes',
      '20',
    ]);
    console.info(`simulation: ${report}`);
    expect({ status, report, errors: errors.slice(-2000) }).toMatchObject({ status: 0 });
  }, 1_260_000);
});
