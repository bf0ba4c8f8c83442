// `npm run simulate -- [--seed S] [--runs N] [--steps N] [--minutes N] [--replay FILE|FOLDER]`
// Runs the simulation of the whole stage under AWS's faults (docs/guarantees.md, the simulation):
// N runs from seed S (a fresh seed if not given), each of up to --steps steps, within --minutes
// (shrinking included). A failure prints the promise broken and the shrunk steps, written to a
// file that --replay runs again (a folder: every run in it).
import '../../scripts/require-node.cjs';
import './quiet';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { explore, replay } from './explore';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string', default: '20' },
    steps: { type: 'string', default: '60' },
    path: { type: 'string' },
    minutes: { type: 'string', default: '10' },
    replay: { type: 'string' },
  },
});

const main = async () => {
  if (values.replay) {
    const files = statSync(values.replay).isDirectory()
      ? readdirSync(values.replay)
          .filter((file) => file.endsWith('.json'))
          .map((file) => join(values.replay as string, file))
      : [values.replay];
    for (const file of files) {
      const report = await replay(file);
      console.log(`${file}: ${JSON.stringify(report)}`);
      if (report.violations.length > 0) process.exitCode = 1;
    }
    return;
  }
  const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31;
  const result = await explore({
    seed,
    runs: Number(values.runs),
    maxSteps: Number(values.steps),
    path: values.path,
    timeLimitMs: Number(values.minutes) * 60_000,
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
