import { runCommand } from '../../scripts/local-stack/processes';
import type { FunctionName } from '../bundles';
import { median, round } from '../stats';

const ENVIRONMENT = {
  EVENTS_TABLE: 'events',
  IDEMPOTENCY_TABLE: 'idempotency',
  USER_LIST_INDEX: 'ListIndex',
  USER_DETAIL_TABLE: 'detail',
  USER_HISTORY_TABLE: 'history',
  PAGE_TOKEN_SECRET: 'bench',
  AWS_REGION: 'us-east-1',
};

const IMPORT_TIMER =
  'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

/** Bundle size and the time a fresh Node process takes to import each handler (median of `runs`). */
export const coldStart = async (
  bundles: Record<FunctionName, { file: string; bytes: number }>,
  runs: number,
) => {
  const results: Record<
    string,
    { kilobytes: number; importMs: number; importMsWithSourceMaps: number }
  > = {};
  for (const [name, { file, bytes }] of Object.entries(bundles)) {
    const time = async (nodeOptions: string) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const { stdout } = await runCommand(process.execPath, ['-e', IMPORT_TIMER, file], {
          env: { ...process.env, ...ENVIRONMENT, NODE_OPTIONS: nodeOptions },
        });
        samples.push(Number(stdout));
      }
      return round(median(samples), 1);
    };
    results[name] = {
      kilobytes: round(bytes / 1024, 1),
      // As deployed; locally (NODE_OPTIONS=--enable-source-maps) stack traces point at the sources.
      importMs: await time(''),
      importMsWithSourceMaps: await time('--enable-source-maps'),
    };
  }
  return results;
};
