import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..');
export const BUILD_DIR = join(__dirname, '.build');

/** Every deployed function, bundled with the very esbuild settings serverless-esbuild uses. */
export const FUNCTIONS = {
  command: 'services/command-service/src/handlers/command/handler.ts',
  publisher: 'services/command-service/src/handlers/publisher/handler.ts',
  projector: 'services/query-service/src/handlers/projector/handler.ts',
  list: 'services/query-service/src/handlers/list/handler.ts',
  detail: 'services/query-service/src/handlers/detail/handler.ts',
  history: 'services/query-service/src/handlers/history/handler.ts',
} as const;

export type FunctionName = keyof typeof FUNCTIONS;

export const buildBundles = async (): Promise<
  Record<FunctionName, { file: string; bytes: number }>
> => {
  const settings = parse(readFileSync(join(ROOT, 'shared/serverless/esbuild.yml'), 'utf8'));
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
      target: settings.target,
      platform: settings.platform,
      format: settings.format,
      external: settings.exclude,
      mainFields: settings.mainFields,
      logLevel: 'error',
    });
    result[name] = { file, bytes: statSync(file).size };
  }
  return result;
};
