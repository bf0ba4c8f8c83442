import { runErasureAudit } from './erasure-audit/run-cli';

describe('npm run erasure-audit, given bad arguments', () => {
  it.each([
    [[], /--user is required/],
    [['--user', 'u-1', '--stag', 'prod'], /Unknown option '--stag'/],
  ])(
    '%j: says what is wrong, exit code 2, reads nothing',
    (args, message) => {
      const run = runErasureAudit(args, { DYNAMODB_PORT: '1' });
      expect(run.stderr).toMatch(message);
      expect(run.status).toBe(2);
    },
    30_000,
  );
});
