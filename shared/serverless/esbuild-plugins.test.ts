import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const plugins = require('./esbuild-plugins.cjs') as Plugin[];
const TRACING = join(__dirname, '../src/observability/tracing.ts');

/** Bundles `entry` as serverless-esbuild calls esbuild (one entry, an output folder); the folder. */
const bundleInto = async (prefix: string, entry: string) => {
  const out = mkdtempSync(join(tmpdir(), prefix));
  await build({
    entryPoints: [entry],
    outdir: out,
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    mainFields: ['module', 'main'],
    plugins,
    logLevel: 'error',
  });
  return out;
};

let dir: string;
beforeAll(async () => {
  dir = await bundleInto('esbuild-plugins-', TRACING);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether the bundle, required in a fresh Node with `env`, made a Tracer. */
const tracerMade = (env: Record<string, string>) => {
  const run = spawnSync(
    process.execPath,
    [
      '-e',
      'process.stdout.write(String(require(process.argv[1]).tracer !== undefined))',
      join(dir, 'tracing.js'),
    ],
    { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', cwd: tmpdir() },
  );
  expect(run.stderr).toBe('');
  return run.stdout;
};

describe('the bundles', () => {
  it('carry the Tracer and the X-Ray SDK in a file of their own beside them, with its source map', () => {
    const bundle = readFileSync(join(dir, 'tracing.js'), 'utf8');
    expect(bundle).toContain('require("./tracing.tracer.js")');
    expect(bundle).not.toMatch(/aws-xray|cls-hooked/);
    const beside = readFileSync(join(dir, 'tracing.tracer.js'), 'utf8');
    expect(beside).toMatch(/aws-xray/);
    expect(beside).toMatch(/sourceMappingURL=tracing\.tracer\.js\.map\s*$/);
    const map = JSON.parse(readFileSync(join(dir, 'tracing.tracer.js.map'), 'utf8'));
    expect(
      existsSync(
        join(
          dir,
          map.sources.find((s: string) => s.endsWith('Tracer.js')),
        ),
      ),
    ).toBe(true);
  });

  it('read that file only where the function may trace', () => {
    expect(tracerMade({})).toBe('false');
    expect(tracerMade({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' })).toBe('true');
    expect(
      tracerMade({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'false' }),
    ).toBe('false');
  });
});

describe('a bundle that schedules erasures', () => {
  const SCHEDULER = join(
    __dirname,
    '../../services/command-service/src/infrastructure/eventbridge-erasure-scheduler.ts',
  );
  let out: string;
  beforeAll(async () => {
    out = await bundleInto('esbuild-scheduler-', SCHEDULER);
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('carries the EventBridge Scheduler client in a file of its own beside it, loaded on first use', () => {
    const bundle = readFileSync(join(out, 'eventbridge-erasure-scheduler.js'), 'utf8');
    expect(bundle).toContain('require("./eventbridge-erasure-scheduler.scheduler.js")');
    // The client and its REST protocol are all beside it: what stays is a few lines of ours.
    expect(bundle.length).toBeLessThan(4_000);
    const beside = readFileSync(join(out, 'eventbridge-erasure-scheduler.scheduler.js'), 'utf8');
    expect(beside.length).toBeGreaterThan(50_000);
    const loaded = spawnSync(
      process.execPath,
      [
        '-e',
        'const m = require(process.argv[1]); const s = new m.EventBridgeErasureScheduler({ region: "us-east-1" }, {}); process.stdout.write(typeof s.client.send)',
        join(out, 'eventbridge-erasure-scheduler.js'),
      ],
      { env: { PATH: process.env.PATH }, encoding: 'utf8', cwd: tmpdir() },
    );
    expect([loaded.stderr, loaded.stdout]).toEqual(['', 'function']);
  });
});

describe('the docs function', () => {
  const DOCS = join(__dirname, '../../services/query-service/src/handlers/docs/handler.ts');
  let out: string;
  beforeAll(async () => {
    out = await bundleInto('esbuild-docs-', DOCS);
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('carries Swagger UI gzipped beside its bundle, and serves it from there', () => {
    const bundle = readFileSync(join(out, 'handler.js'), 'utf8');
    const swaggerUi = readFileSync(require.resolve('swagger-ui-dist/swagger-ui-bundle.js'), 'utf8');
    expect(bundle.includes(swaggerUi.slice(500_000, 500_200))).toBe(false);
    expect(bundle.length).toBeLessThan(400 * 1024);
    const served = spawnSync(
      process.execPath,
      [
        '-e',
        `require(process.argv[1]).handler(
          { rawPath: '/docs/swagger-ui-bundle.js', headers: { 'accept-encoding': 'gzip' }, requestContext: { http: { method: 'GET' } } },
          { getRemainingTimeInMillis: () => 3000, awsRequestId: 'docs' },
        ).then((r) => process.stdout.write(JSON.stringify({ status: r.statusCode, encoding: r.headers['content-encoding'], text: require('node:zlib').gunzipSync(Buffer.from(r.body, 'base64')).toString().slice(0, 2000) })))`,
        join(out, 'handler.js'),
      ],
      {
        env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT' },
        encoding: 'utf8',
        cwd: tmpdir(),
      },
    );
    expect(served.stderr).toBe('');
    expect(JSON.parse(served.stdout)).toEqual({
      status: 200,
      encoding: 'gzip',
      text: readFileSync(require.resolve('swagger-ui-dist/swagger-ui-bundle.js'), 'utf8').slice(
        0,
        2000,
      ),
    });
  });
});
