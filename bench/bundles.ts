import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..');
export const BUILD_DIR = join(__dirname, '.build');

/** Every deployed function (the console's two where the stage has one), bundled as deployed. */
export const FUNCTIONS = {
  command: 'services/command-service/src/handlers/command/handler.ts',
  publisher: 'services/command-service/src/handlers/publisher/handler.ts',
  'scheduled-erasure': 'services/command-service/src/handlers/scheduled-erasure/handler.ts',
  'erasure-sweep': 'services/command-service/src/handlers/erasure-sweep/handler.ts',
  list: 'services/query-service/src/handlers/list/handler.ts',
  detail: 'services/query-service/src/handlers/detail/handler.ts',
  history: 'services/query-service/src/handlers/history/handler.ts',
  feed: 'services/query-service/src/handlers/feed/handler.ts',
  console: 'services/query-service/src/handlers/console/handler.ts',
  docs: 'services/query-service/src/handlers/docs/handler.ts',
  projector: 'services/query-service/src/handlers/projector/handler.ts',
  'history-eraser': 'services/query-service/src/handlers/history-eraser/handler.ts',
  stats: 'services/stats-service/src/handlers/stats/handler.ts',
  recorder: 'services/stats-service/src/handlers/recorder/handler.ts',
} as const;

export type FunctionName = keyof typeof FUNCTIONS;

/**
 * The very settings serverless-esbuild uses (shared/serverless/esbuild.yml, its plugins, and the
 * target it derives from the provider's runtime); each function's Tracer lands beside its bundle
 * as `<name>.tracer.js`, as in the function's zip.
 */
export const buildBundles = async (): Promise<
  Record<FunctionName, { file: string; bytes: number }>
> => {
  const settings = parse(readFileSync(join(ROOT, 'shared/serverless/esbuild.yml'), 'utf8'));
  const { runtime } = parse(readFileSync(join(ROOT, 'shared/serverless/provider.yml'), 'utf8'));
  const plugins = require(join(ROOT, 'shared/serverless/esbuild-plugins.cjs')) as Plugin[];
  mkdirSync(BUILD_DIR, { recursive: true });
  const result = {} as Record<FunctionName, { file: string; bytes: number }>;
  for (const [name, entry] of Object.entries(FUNCTIONS) as [FunctionName, string][]) {
    const file = join(BUILD_DIR, `${name}.js`);
    await build({
      entryPoints: [join(ROOT, entry)],
      outfile: file,
      bundle: settings.bundle,
      minify: settings.minify,
      sourcemap: settings.sourcemap,
      target: String(runtime).replace(/^nodejs(\d+)\.x$/, 'node$1'),
      platform: settings.platform,
      format: settings.format,
      external: settings.exclude,
      mainFields: settings.mainFields,
      plugins,
      logLevel: 'error',
    });
    result[name] = { file, bytes: statSync(file).size };
  }
  return result;
};
