// `npm run simulate -- [--seed S] [--runs N] [--steps N] [--replay FILE]`
// Runs the simulation of the whole stage under AWS's faults (docs/guarantees.md, simulation):
// N runs from seed S (a fresh seed if not given), each of up to --steps steps. A failure prints
// its seed and path and the shrunk steps, written to a file that --replay runs again.
import '../../scripts/require-node.cjs';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { explore, replay } from './explore';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string', default: '20' },
    steps: { type: 'string', default: '60' },
    path: { type: 'string' },
    replay: { type: 'string' },
  },
});

const main = async () => {
  if (values.replay) {
    const report = await replay(values.replay);
    console.log(JSON.stringify(report, null, 2));
    process.exitCode = report.violations.length > 0 ? 1 : 0;
    return;
  }
  const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31;
  const result = await explore({
    seed,
    runs: Number(values.runs),
    maxSteps: Number(values.steps),
    path: values.path,
    onRun: (summary) => console.log(summary),
  });
  console.log(result.summary);
  if (result.failure) {
    const file = `simulation-failure-${seed}.json`;
    writeFileSync(file, JSON.stringify(result.failure, null, 2));
    console.log(`Shrunk counterexample written to ${file}: npm run simulate -- --replay ${file}`);
    process.exitCode = 1;
  }
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
