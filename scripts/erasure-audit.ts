// `npm run erasure-audit -- --user X [--stage local] [--region R] [--endpoint URL] [--json]`
// Scans every table of the stage for anything of the user still readable (docs/personal-data.md):
// exit code 0 when nothing is, 1 when something is (each place printed), 2 on a failure.
import './require-node.cjs';
import { parseArgs } from 'node:util';
import { auditErasure } from './erasure-audit/audit';
import { stageConfig } from './local-stack/tables';

const { values } = parseArgs({
  options: {
    user: { type: 'string' },
    stage: { type: 'string', default: 'local' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const main = async () => {
  if (!values.user) throw new Error('--user is required');
  const stage = values.stage as string;
  const config = stageConfig(stage, values);
  const audit = await auditErasure(config.client, {
    stage,
    userId: values.user,
    dataKeysTable: config.dataKeysTable,
  });
  if (values.json) {
    console.log(JSON.stringify(audit, null, 2));
  } else {
    const scanned = audit.tables.reduce((sum, t) => sum + t.items, 0);
    console.log(
      `Erasure audit of ${audit.userId} on stage ${stage} at ${audit.auditedAt}: ${audit.tables.length} tables, ${scanned} items scanned; data key ${audit.keyShredded ? 'shredded' : 'NOT shredded'}.`,
    );
    for (const table of audit.tables) {
      console.log(`  ${table.table}: ${table.itemsOfUser} of ${table.items} items hold the user`);
    }
    console.log(
      audit.readable.length === 0
        ? 'Nothing of the user is readable.'
        : `Readable:\n${audit.readable.map((r) => `  ${r.table} ${r.field}: ${r.why} (${r.items} items)`).join('\n')}`,
    );
  }
  process.exitCode = audit.readable.length === 0 ? 0 : 1;
};

main().catch((error) => {
  console.error(`Erasure audit failed: ${error.message}`);
  process.exitCode = 2;
});
