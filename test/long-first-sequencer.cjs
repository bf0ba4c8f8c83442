const Sequencer = require('@jest/test-sequencer').default;

/**
 * Files that take a minute or more on 2 cores, longest first. Jest runs the longest files first
 * only once its cache holds their times; a clean clone (CI, a newcomer) has none and orders by
 * file size, which started the simulation last: a minute at the end with one worker idle.
 */
const LONG = [
  'deploy/templates.int.test.ts',
  'test/simulation/simulation.test.ts',
  'test/simulation/dynamodb/differential.int.test.ts',
  'services/command-service/src/infrastructure/dynamo-event-store.int.test.ts',
];

const rank = ({ path }) => {
  const posix = path.replaceAll('\\', '/');
  const index = LONG.findIndex((file) => posix.endsWith(file));
  return index === -1 ? LONG.length : index;
};

/** Jest's own order (failed first, then by time or size), with the known long files next. */
class LongFirstSequencer extends Sequencer {
  sort(tests) {
    const failed = (test) => (this.hasFailed(test) ? 0 : 1);
    return [...super.sort(tests)].sort((a, b) => failed(a) - failed(b) || rank(a) - rank(b));
  }
}

module.exports = LongFirstSequencer;
