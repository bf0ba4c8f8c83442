import middy from '@middy/core';
import { countWith, observeInvocation } from '.';

type Emf = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
};

/** The embedded-metric lines a piece of work writes to stdout, as Lambda would ship them. */
const emfWrittenBy = async (work: () => Promise<unknown>) => {
  const lines: Emf[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (line.startsWith('{"_aws"')) lines.push(JSON.parse(line));
    }
    return true;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return lines;
};

const invocation = (work: () => void) =>
  middy()
    .use(observeInvocation())
    .handler(async () => work());

const context = { functionName: 'metrics-test' } as never;

describe('counts with dimensions of their own (countWith)', () => {
  it('go out when the invocation ends, one line per set of dimension values, under the service', async () => {
    const handler = invocation(() => {
      countWith('Commands', { EventType: 'USER_BALANCE', Outcome: 'stored' });
      countWith('Commands', { EventType: 'USER_BALANCE', Outcome: 'stored' });
      countWith('Refusals', { Code: 'INSUFFICIENT_FUNDS' });
    });
    const lines = await emfWrittenBy(() => handler({}, context));
    const counts = lines.filter((line) => !('ColdStart' in line));
    expect(counts).toEqual([
      expect.objectContaining({ EventType: 'USER_BALANCE', Outcome: 'stored', Commands: [1, 1] }),
      expect.objectContaining({ Code: 'INSUFFICIENT_FUNDS', Refusals: 1 }),
    ]);
    expect(counts.map((line) => line._aws.CloudWatchMetrics[0]?.Dimensions)).toEqual([
      [['service', 'EventType', 'Outcome']],
      [['service', 'Code']],
    ]);
  });

  it('are not written again by the next invocation, nor are counts of another set carried into it', async () => {
    let next = 'USER_BALANCE';
    const handler = invocation(() => countWith('Commands', { EventType: next, Outcome: 'stored' }));
    await emfWrittenBy(() => handler({}, context));
    next = 'USER_DELETED';
    const lines = await emfWrittenBy(() => handler({}, context));
    expect(lines).toEqual([expect.objectContaining({ EventType: 'USER_DELETED', Commands: 1 })]);
  });

  it('go out when the invocation fails too', async () => {
    const handler = invocation(() => {
      countWith('Commands', { EventType: 'USER_CREATED', Outcome: 'refused' });
      throw new Error('failed after counting');
    });
    const lines = await emfWrittenBy(() => handler({}, context).catch(() => undefined));
    expect(lines).toContainEqual(
      expect.objectContaining({ EventType: 'USER_CREATED', Commands: 1 }),
    );
  });
});
