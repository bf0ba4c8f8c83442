// serverless-esbuild's `plugins` (shared/serverless/esbuild.yml): what the bundles take in place
// of a dependency, and what each function carries in a file of its own beside its bundle.
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { basename, dirname, extname, join, relative, resolve } = require('node:path');
const { gzipSync } = require('node:zlib');

const semverGte = join(__dirname, 'semver-gte.cjs');

const semverGteOnly = {
  name: 'semver-gte-only',
  setup(build) {
    build.onResolve({ filter: /^semver$/ }, () => ({ path: semverGte }));
  },
};

/**
 * None of the bundled clients (DynamoDB, KMS, EventBridge, Secrets Manager) has an event-stream
 * operation, and Smithy imports its event-stream code only for one, with `import()`: bundled, that
 * import wraps every Smithy module it reaches in a lazy initializer, evaluated at load all the
 * same (about 150 of them, and 15 KB). A client that streams events would throw here, loudly.
 */
const noEventStreams = {
  name: 'no-event-streams',
  setup(build) {
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, ({ kind, importer }) =>
      kind === 'dynamic-import'
        ? { path: join(__dirname, 'no-event-streams.cjs') }
        : // A client that imports it up front (S3, Lambda, CloudWatch Logs...) needs it: the build
          // fails here rather than the function at init.
          {
            errors: [
              {
                text: `${importer} imports @smithy/core/event-streams: drop the no-event-streams plugin (shared/serverless/esbuild-plugins.cjs)`,
              },
            ],
          },
    );
  },
};

/**
 * A module a function needs only now and then goes into a file of its own beside the function's
 * bundle (`<bundle><suffix>`), which the code requires only when it needs it: its bytes are not
 * read at every cold start. serverless-esbuild zips every file of its build folder with each
 * function, except those that begin with another function's bundle name and a dot: so each
 * function's zip holds its own copy. Each module is built once per process and written beside
 * every bundle that asks for it.
 */
const besideBuilds = new Map();

const buildBeside = (esbuild, entry, options) => {
  const settings = {
    entryPoints: [entry],
    outfile: join(__dirname, '.beside', 'module.js'),
    write: false,
    bundle: true,
    minify: options.minify,
    sourcemap: options.sourcemap,
    target: options.target,
    platform: options.platform,
    format: options.format,
    mainFields: options.mainFields,
    external: options.external,
    logLevel: 'error',
  };
  const key = JSON.stringify(settings);
  if (!besideBuilds.has(key)) {
    besideBuilds.set(key, esbuild.build({ ...settings, plugins: [semverGteOnly, noEventStreams] }));
  }
  return besideBuilds.get(key);
};

/** Writes a built module as `file`, its source map's paths made relative to where it lands. */
const writeBeside = ({ outputFiles }, file) => {
  mkdirSync(dirname(file), { recursive: true });
  for (const output of outputFiles) {
    if (output.path.endsWith('.map')) {
      const map = JSON.parse(output.text);
      map.sources = map.sources.map((source) =>
        relative(dirname(file), resolve(dirname(output.path), source)),
      );
      writeFileSync(`${file}.map`, JSON.stringify(map));
    } else {
      writeFileSync(
        file,
        output.text.replace(
          /sourceMappingURL=module\.js\.map/,
          `sourceMappingURL=${basename(file)}.map`,
        ),
      );
    }
  }
};

/** The bundle a build writes (serverless-esbuild sets `outdir`, the bench `outfile`). */
const bundleOf = (options) => {
  const [entryPoint] = Array.isArray(options.entryPoints) ? options.entryPoints : [];
  if (options.outfile) return options.outfile;
  return options.outdir && entryPoint
    ? join(options.outdir, `${basename(entryPoint, extname(entryPoint))}.js`)
    : undefined;
};

/** `module` (a relative import of `importer`, a path's end) goes beside the bundle. */
const besideTheBundle = ({ name, module, importer, suffix }) => ({
  name,
  setup(build) {
    const options = build.initialOptions;
    const bundle = bundleOf(options);
    if (!bundle) return;
    const besideName = `${basename(bundle, '.js')}${suffix}`;
    let entry;
    build.onResolve({ filter: module }, async (args) => {
      if (args.pluginData === name || !args.importer.endsWith(importer)) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: name,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      entry = resolved.path;
      return { path: `./${besideName}`, external: true };
    });
    build.onEnd(async (result) => {
      if (!entry || result.errors.length > 0) return;
      const built = await buildBeside(build.esbuild, entry, options);
      writeBeside(built, join(dirname(bundle), besideName));
    });
  },
});

/**
 * Powertools' Tracer with the X-Ray SDK (about 95 KB), required only where the function may trace
 * (shared/src/observability/tracing.ts).
 */
const tracerBesideTheBundle = besideTheBundle({
  name: 'tracer-beside-the-bundle',
  module: /^\.\/powertools-tracer$/,
  importer: join('observability', 'tracing.ts'),
  suffix: '.tracer.js',
});

/**
 * The EventBridge Scheduler client (about 35 KB with its REST protocol), required only when a
 * user asks to be erased or cancels it (services/command-service/.../eventbridge-erasure-scheduler.ts).
 */
const schedulerBesideTheBundle = besideTheBundle({
  name: 'scheduler-beside-the-bundle',
  module: /^\.\/scheduler-client$/,
  importer: join('infrastructure', 'eventbridge-erasure-scheduler.ts'),
  suffix: '.scheduler.js',
});

const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'];

/**
 * Swagger UI's script and style sheet (1.7 MB of text) as gzipped files beside the docs
 * function's bundle (`<bundle>.<file>.gz`), in place of services/query-service/src/portal/
 * swagger-ui.ts: read on the first request for them, so the function's cold start parses none of
 * their bytes and its bundle stays within the 400 KB every bundle keeps to.
 */
const swaggerUiBesideTheBundle = {
  name: 'swagger-ui-beside-the-bundle',
  setup(build) {
    const bundle = bundleOf(build.initialOptions);
    if (!bundle) return;
    const prefix = basename(bundle, '.js');
    let used = false;
    build.onResolve({ filter: /\/portal\/swagger-ui$/ }, () => {
      used = true;
      return { path: 'swagger-ui', namespace: 'swagger-ui-beside-the-bundle' };
    });
    build.onLoad({ filter: /.*/, namespace: 'swagger-ui-beside-the-bundle' }, () => ({
      contents: [
        "const { readFileSync } = require('node:fs');",
        "const { join } = require('node:path');",
        `exports.swaggerUiFile = (name) => readFileSync(join(__dirname, \`${prefix}.\${name}.gz\`));`,
      ].join('\n'),
      loader: 'js',
    }));
    build.onEnd((result) => {
      if (!used || result.errors.length > 0) return;
      for (const file of SWAGGER_UI_FILES) {
        const source = require.resolve(`swagger-ui-dist/${file}`);
        writeFileSync(
          join(dirname(bundle), `${prefix}.${file}.gz`),
          gzipSync(readFileSync(source)),
        );
      }
    });
  },
};

module.exports = [
  semverGteOnly,
  noEventStreams,
  tracerBesideTheBundle,
  schedulerBesideTheBundle,
  swaggerUiBesideTheBundle,
];
