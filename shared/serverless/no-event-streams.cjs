// Bundled in place of `@smithy/core/event-streams` (esbuild-plugins.cjs), which Smithy imports only
// for an operation that streams events: no client these bundles carry has one.
throw new Error(
  '@smithy/core/event-streams is left out of this bundle (shared/serverless/esbuild-plugins.cjs)',
);
