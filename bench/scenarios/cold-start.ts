import { runCommand } from '../../scripts/local-stack/processes';
import type { FunctionName } from '../bundles';
import { ERASURE_SCHEDULE_ENVIRONMENT } from '../fixtures';
import { median, round } from '../stats';

const ENVIRONMENT = {
  EVENTS_TABLE: 'events',
  IDEMPOTENCY_TABLE: 'idempotency',
  ERASURE_RECEIPTS_TABLE: 'erasure-receipts',
  PENDING_ERASURES_TABLE: 'pending-erasures',
  USER_LIST_INDEX: 'ListIndex',
  USER_DETAIL_TABLE: 'detail',
  USER_HISTORY_TABLE: 'history',
  PAGE_TOKEN_SECRET: 'bench',
  DATA_KEYS_TABLE: 'data-keys',
  KMS_KEY_ID: 'alias/bench',
  EVENT_BUS_ARN: 'arn:aws:events:us-east-1:123456789012:event-bus/bench',
  ...ERASURE_SCHEDULE_ENVIRONMENT,
  PROJECTIONS_TABLE: 'projections',
  STATS_TABLE: 'stats',
  COUNTED_EVENTS_TABLE: 'counted-events',
  AWS_REGION: 'us-east-1',
};

/** What Lambda sets: the Tracer (and the X-Ray SDK it brings) is loaded only then. */
const IN_LAMBDA = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' };

const IMPORT_TIMER =
  'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

/** Bundle size and the time a fresh Node process takes to import each handler (median of `runs`). */
export const coldStart = async (
  bundles: Record<FunctionName, { file: string; bytes: number }>,
  runs: number,
) => {
  const results: Record<
    string,
    {
      kilobytes: number;
      importMs: number;
      importMsTraced: number;
      importMsWithSourceMaps: number;
    }
  > = {};
  for (const [name, { file, bytes }] of Object.entries(bundles)) {
    const time = async (nodeOptions: string, lambda: Record<string, string> = {}) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const { stdout } = await runCommand(process.execPath, ['-e', IMPORT_TIMER, file], {
          env: { ...process.env, ...ENVIRONMENT, ...lambda, NODE_OPTIONS: nodeOptions },
        });
        samples.push(Number(stdout));
      }
      return round(median(samples), 1);
    };
    results[name] = {
      kilobytes: round(bytes / 1024, 1),
      // As deployed with tracing Off, and with it on (the Tracer loaded: Active or PassThrough);
      // locally (NODE_OPTIONS=--enable-source-maps) stack traces point at the sources.
      importMs: await time(''),
      importMsTraced: await time('', IN_LAMBDA),
      importMsWithSourceMaps: await time('--enable-source-maps'),
    };
  }
  return results;
};
