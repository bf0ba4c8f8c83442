import middy from '@middy/core';
import { emfWrittenBy } from '../../../test/support/emf';
import { countWith, observeInvocation } from '.';

type Emf = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] };
};

const documentsIn = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as Emf)
    .filter((document) => !('ColdStart' in document));

describe('counts with dimensions of their own (countWith)', () => {
  it("are written with the invocation's metrics, a line per set with its dimensions under the service", async () => {
    const { text } = await emfWrittenBy(async () => {
      countWith('Commands', { EventType: 'USER_BALANCE', Outcome: 'stored' });
      countWith('Refusals', { Code: 'INSUFFICIENT_FUNDS' });
      countWith('Commands', { EventType: 'USER_BALANCE', Outcome: 'stored' });
    }, {});
    const counts = documentsIn(text);
    expect(counts).toEqual([
      expect.objectContaining({ EventType: 'USER_BALANCE', Outcome: 'stored', Commands: [1, 1] }),
      expect.objectContaining({ Code: 'INSUFFICIENT_FUNDS', Refusals: 1 }),
    ]);
    expect(counts.map((line) => line._aws.CloudWatchMetrics[0]?.Dimensions)).toEqual([
      [['service', 'EventType', 'Outcome']],
      [['service', 'Code']],
    ]);
  });

  it('take a line per 100 counts of a set, not a line each: a batch opening many keys', async () => {
    const { text, metrics } = await emfWrittenBy(async () => {
      for (let i = 0; i < 250; i++) countWith('DataKeyRequests', { Operation: 'Decrypt' });
    }, {});
    expect(documentsIn(text)).toHaveLength(3);
    expect(metrics.get('DataKeyRequests')?.reduce((sum, value) => sum + value, 0)).toBe(250);
  });

  it('are written before the invocation times out, once', async () => {
    const written: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let beforeTheEnd = '';
    try {
      await middy()
        .use(observeInvocation())
        .handler(async () => {
          countWith('DataKeyRequests', { Operation: 'Decrypt' });
          // Past the flush (500 ms before the timeout) and still running: what a timeout cuts off.
          await new Promise((resolve) => setTimeout(resolve, 300));
          beforeTheEnd = written.join('');
        })({}, { functionName: 'test', getRemainingTimeInMillis: () => 600 } as never);
    } finally {
      stdout.mockRestore();
    }
    expect(documentsIn(beforeTheEnd)).toEqual([
      expect.objectContaining({ Operation: 'Decrypt', DataKeyRequests: 1 }),
    ]);
    expect(documentsIn(written.join(''))).toHaveLength(1);
  });

  it('are written by a failed invocation too', async () => {
    const { text, failure } = await emfWrittenBy(async () => {
      countWith('Refusals', { Code: 'SOMETHING_BROKE' });
      throw new Error('broke');
    }, {});
    expect(failure).toBeInstanceOf(Error);
    expect(documentsIn(text)).toEqual([expect.objectContaining({ Code: 'SOMETHING_BROKE' })]);
  });

  it("are not written again by a later invocation, nor mixed into another set's line", async () => {
    const first = await emfWrittenBy(async () => {
      countWith('Commands', { EventType: 'USER_BALANCE', Outcome: 'stored' });
    }, {});
    expect(documentsIn(first.text)).toEqual([
      expect.objectContaining({ EventType: 'USER_BALANCE', Commands: 1 }),
    ]);
    const next = await emfWrittenBy(async () => {
      countWith('Commands', { EventType: 'USER_DELETED', Outcome: 'stored' });
    }, {});
    expect(documentsIn(next.text)).toEqual([
      expect.objectContaining({ EventType: 'USER_DELETED', Commands: 1 }),
    ]);
    expect(next.text).not.toContain('USER_BALANCE');
  });
});
