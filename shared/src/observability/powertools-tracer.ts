// Required (not imported) by ./tracing, only where it may trace. In a function's package this
// module is a file of its own beside the bundle (shared/serverless/esbuild-plugins.cjs), with the
// Tracer's ES build, the X-Ray SDK and its own copy of Powertools' commons.
export { Tracer } from '@aws-lambda-powertools/tracer';
