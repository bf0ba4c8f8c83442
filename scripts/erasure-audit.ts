// `npm run erasure-audit -- --user X [--stage local] [--region R] [--endpoint URL] [--json] [--record]`
// Reads every table of the stage for anything of the user still readable (docs/personal-data.md);
// with --record, notes the outcome on the user's erasure receipt (GET /erasures/{user_id}).
// Exit code 0: nothing readable, the erasure stored and done everywhere; 1: something readable
// (each place printed); 3: nothing readable, but the user is not erased (or unknown) or a step of
// the erasure is still under way; 2: the audit could not finish.
import './require-node.cjs';
import { parseArgs } from 'node:util';
import { auditErasure, recordAudit } from './erasure-audit/audit';
import { STAGE_OPTIONS, stageConfig } from './local-stack/tables';

const main = async () => {
  // Parsed in here, so that a wrong option is reported like any failure (exit code 2).
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      ...STAGE_OPTIONS,
      json: { type: 'boolean', default: false },
      record: { type: 'boolean', default: false },
    },
  });
  if (!values.user) throw new Error('--user is required');
  const stage = values.stage as string;
  const config = stageConfig(stage, values);
  const audit = await auditErasure(config.client, { stage, userId: values.user });
  if (values.json) {
    console.log(JSON.stringify(audit, null, 2));
  } else {
    console.log(
      `Erasure audit of ${audit.userId} on stage ${stage} at ${audit.auditedAt}: ${audit.tables.length} tables; erasure ${audit.erasureStored ? 'stored' : 'NOT stored'}, data key ${audit.keyShredded ? 'shredded' : 'NOT shredded'}.`,
    );
    for (const table of audit.tables) {
      console.log(`  ${table.table} (${table.read}): ${table.itemsOfUser} items of the user`);
    }
    for (const step of audit.unfinished) console.log(`  under way: ${step.table}: ${step.what}`);
    for (const r of audit.readable) {
      console.log(`  READABLE: ${r.table} ${r.field}: ${r.why} (${r.items} items)`);
    }
    console.log(`Verdict: ${audit.verdict}.`);
  }
  if (values.record) {
    const recorded = await recordAudit(config.client, audit);
    console.error(
      recorded
        ? `Recorded on the erasure receipt of ${audit.userId}.`
        : `No erasure receipt for ${audit.userId}: nothing recorded.`,
    );
  }
  process.exitCode = { 'nothing readable': 0, readable: 1 }[audit.verdict as string] ?? 3;
};

main().catch((error) => {
  console.error(`Erasure audit failed: ${error.message}`);
  process.exitCode = 2;
});
