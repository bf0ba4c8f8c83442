/**
 * The bundled handlers run in this process as in Lambda, metrics included: each invocation
 * formats its embedded-metric lines (Powertools Metrics) under a namespace as a deployed function
 * does. In Lambda those lines go to the log pipe; here they are dropped, since they would drown
 * the report (the cost of formatting them stays in every figure).
 */
Object.assign(process.env, {
  POWERTOOLS_METRICS_NAMESPACE: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'users-bench',
  POWERTOOLS_SERVICE_NAME: process.env.POWERTOOLS_SERVICE_NAME ?? 'bench',
});

const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
  if (typeof chunk === 'string' && chunk.startsWith('{"_aws"')) return true;
  return write(chunk, ...rest);
}) as typeof process.stdout.write;
