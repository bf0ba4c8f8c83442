// `npm run encrypt-legacy [-- --stage local] [--region us-east-1] [--endpoint URL]`
// Seals, in place, the personal data of every event written by the release before 2026-11-29.
import './require-node.cjs';
import { parseArgs } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { SingleBar } from 'cli-progress';
import { encryptLegacyEvents } from './legacy-events';
import { STAGE_OPTIONS, stageConfig } from './local-stack/tables';

const { values } = parseArgs({ options: STAGE_OPTIONS });

const main = async () => {
  const stage = stageConfig(values.stage as string, values);
  const { Table } = await stage.client.send(
    new DescribeTableCommand({ TableName: stage.eventsTable }),
  );
  const bar = new SingleBar({
    format: 'Sealing legacy events |{bar}| {value}/{total} items scanned | {rewritten} rewritten',
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  bar.start(Math.max(Table?.ItemCount ?? 0, 1), 0, { rewritten: 0 });
  const startedAt = Date.now();
  const report = await encryptLegacyEvents(stage, ({ scanned, rewritten }) => {
    if (scanned > bar.getTotal()) bar.setTotal(scanned);
    bar.update(scanned, { rewritten });
  });
  bar.update(report.scanned, { rewritten: report.rewritten });
  bar.stop();
  console.log(
    `Sealed ${report.rewritten} event(s) of ${report.users} user(s) in ${((Date.now() - startedAt) / 1000).toFixed(1)} s` +
      (report.shreddedUsers > 0
        ? `; ${report.shreddedUsers} user(s) already erased got a key that was thrown away.`
        : '.'),
  );
};

main().catch((error) => {
  console.error(`encrypt-legacy failed: ${error.message}`);
  process.exitCode = 1;
});
