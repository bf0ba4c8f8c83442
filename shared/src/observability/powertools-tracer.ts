// Required (not imported) by ./tracing, only where it may trace: through this ES module esbuild
// bundles the Tracer's ES build, sharing Powertools' commons with the Logger and Metrics.
export { Tracer } from '@aws-lambda-powertools/tracer';
