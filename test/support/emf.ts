import middy from '@middy/core';
import { observeInvocation } from '@users/shared/observability';

/**
 * Runs `handler` as a function's Middy pipeline does (observeInvocation flushes its metrics) and
 * returns the metrics it wrote to stdout in CloudWatch embedded metric format: each name with all
 * its values, as CloudWatch reads them out of the function's log (and then sums or ranks them).
 */
export const emfWrittenBy = async <TEvent, TResult>(
  // biome-ignore lint/suspicious/noExplicitAny: each handler takes the context part it needs
  handler: (event: TEvent, context: any) => Promise<TResult>,
  event: TEvent,
  context: object = { functionName: 'test', getRemainingTimeInMillis: () => 10_000 },
) => {
  const written: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  let result: TResult | undefined;
  let failure: unknown;
  try {
    result = await middy<TEvent, TResult>()
      .use(observeInvocation<TEvent, TResult>())
      .handler(handler)(event, context as never);
  } catch (error) {
    failure = error;
  } finally {
    stdout.mockRestore();
  }
  const metrics = new Map<string, number[]>();
  for (const line of written.join('').split('\n')) {
    if (!line.startsWith('{"_aws":')) continue;
    const document = JSON.parse(line);
    for (const { Metrics } of document._aws.CloudWatchMetrics) {
      for (const { Name } of Metrics as { Name: string }[]) {
        metrics.set(Name, [...(metrics.get(Name) ?? []), ...[document[Name]].flat()]);
      }
    }
  }
  return { metrics, text: written.join(''), result, failure };
};
