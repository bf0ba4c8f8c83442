/**
 * GET /local/metrics, in the local composition only (root serverless.yml): the functions' metrics
 * as the local AWS stand-in sums them (local-metrics.ts), served from the stack's own origin for
 * the console's metrics panel. A deployed stage has no such route: its metrics are in CloudWatch.
 */
export const handler = async () => {
  const answer = await fetch(
    `http://localhost:${process.env.LOCAL_AWS_PORT ?? '3004'}/local/metrics`,
  );
  return {
    statusCode: answer.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: await answer.text(),
  };
};
