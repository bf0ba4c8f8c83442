// serverless-esbuild's `plugins` (shared/serverless/esbuild.yml): what the bundles take in place
// of a dependency, and what each function carries in a file of its own beside its bundle.
const { mkdirSync, writeFileSync } = require('node:fs');
const { basename, dirname, extname, join, relative, resolve } = require('node:path');

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
 * Powertools' Tracer with the X-Ray SDK (about 95 KB) goes into `<bundle>.tracer.js` beside each
 * function's bundle, which requires it only where it may trace (shared/src/observability/tracing.ts).
 * serverless-esbuild zips every file of its build folder with each function, except those that
 * begin with another function's bundle name and a dot: so each function's zip holds its own copy.
 * Built once per process and written beside every bundle that asks for it.
 */
const TRACER_MODULE = /^\.\/powertools-tracer$/;
const tracerBuilds = new Map();

const buildTracer = (esbuild, entry, options) => {
  const settings = {
    entryPoints: [entry],
    outfile: join(__dirname, '.tracer', 'tracer.js'),
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
  if (!tracerBuilds.has(key)) {
    tracerBuilds.set(key, esbuild.build({ ...settings, plugins: [semverGteOnly, noEventStreams] }));
  }
  return tracerBuilds.get(key);
};

/** Writes the built Tracer as `file`, its source map's paths made relative to where it lands. */
const writeTracer = ({ outputFiles }, file) => {
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
          /sourceMappingURL=tracer\.js\.map/,
          `sourceMappingURL=${basename(file)}.map`,
        ),
      );
    }
  }
};

const tracerBesideTheBundle = {
  name: 'tracer-beside-the-bundle',
  setup(build) {
    const options = build.initialOptions;
    const [entryPoint] = Array.isArray(options.entryPoints) ? options.entryPoints : [];
    const bundle =
      options.outfile ??
      (options.outdir && entryPoint
        ? join(options.outdir, `${basename(entryPoint, extname(entryPoint))}.js`)
        : undefined);
    if (!bundle) return;
    const besideName = `${basename(bundle, '.js')}.tracer.js`;
    let tracerEntry;
    build.onResolve({ filter: TRACER_MODULE }, async (args) => {
      if (
        args.pluginData === 'tracer' ||
        !args.importer.endsWith(join('observability', 'tracing.ts'))
      )
        return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'tracer',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      tracerEntry = resolved.path;
      return { path: `./${besideName}`, external: true };
    });
    build.onEnd(async (result) => {
      if (!tracerEntry || result.errors.length > 0) return;
      const tracer = await buildTracer(build.esbuild, tracerEntry, options);
      writeTracer(tracer, join(dirname(bundle), besideName));
    });
  },
};

module.exports = [semverGteOnly, noEventStreams, tracerBesideTheBundle];
