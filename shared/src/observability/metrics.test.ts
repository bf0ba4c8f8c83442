import { emfWrittenBy } from '../../../test/support/emf';
import { countWith } from '.';

type Emf = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] };
};

const documentsIn = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{"_aws"'))
    .map((line) => JSON.parse(line) as Emf)
    .filter((document) => !('ColdStart' in document));

/** What `work` writes to stdout as it runs, before anything else happens. */
const writtenAtOnce = (work: () => void) => {
  const written: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    work();
  } finally {
    stdout.mockRestore();
  }
  return documentsIn(written.join(''));
};

describe('counts with dimensions of their own (countWith)', () => {
  it('are written at once, each a line of its own with its dimensions under the service', () => {
    const counts = writtenAtOnce(() => {
      countWith('Commands', { EventType: 'USER_BALANCE', Outcome: 'stored' });
      countWith('Commands', { EventType: 'USER_BALANCE', Outcome: 'stored' });
      countWith('Refusals', { Code: 'INSUFFICIENT_FUNDS' });
    });
    expect(counts).toEqual([
      expect.objectContaining({ EventType: 'USER_BALANCE', Outcome: 'stored', Commands: 1 }),
      expect.objectContaining({ EventType: 'USER_BALANCE', Outcome: 'stored', Commands: 1 }),
      expect.objectContaining({ Code: 'INSUFFICIENT_FUNDS', Refusals: 1 }),
    ]);
    expect(counts.map((line) => line._aws.CloudWatchMetrics[0]?.Dimensions)).toEqual([
      [['service', 'EventType', 'Outcome']],
      [['service', 'EventType', 'Outcome']],
      [['service', 'Code']],
    ]);
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
