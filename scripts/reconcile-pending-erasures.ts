// `npm run reconcile-pending-erasures [-- --stage local] [--region us-east-1] [--endpoint URL]`
// Makes the pending-erasures table (the erasure sweep's) hold exactly the requests pending in the
// events: after rolling the command service back past the sweep and forward again (docs/operations.md).
import './require-node.cjs';
import { parseArgs } from 'node:util';
import { STAGE_OPTIONS, stageConfig } from './local-stack/tables';
import { reconcilePendingErasures } from './pending-erasures';

const { values } = parseArgs({ options: STAGE_OPTIONS });

const main = async () => {
  const stage = stageConfig(values.stage as string, values);
  const startedAt = Date.now();
  const report = await reconcilePendingErasures(stage, ({ scanned }) => {
    process.stderr.write(`\r${scanned} event items scanned`);
  });
  process.stderr.write('\n');
  console.log(
    `${report.pending} erasure request(s) pending among ${report.users} user(s) with erasure events; ` +
      `${report.put} row(s) written, ${report.deleted} removed, in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`,
  );
  if (report.undecided.length > 0) {
    console.log(`Left as they were (no readable due time): ${report.undecided.join(', ')}`);
    process.exitCode = 1;
  }
  if (report.contended.length > 0) {
    console.log(`Still changing or busy, run again: ${report.contended.join(', ')}`);
    process.exitCode = 1;
  }
};

main().catch((error) => {
  console.error(`reconcile-pending-erasures failed: ${error.message}`);
  process.exitCode = 1;
});
