import { ROOT } from './local-stack/paths';
import { runCommand } from './local-stack/processes';

const projections = (...args: string[]) =>
  runCommand('npm', ['run', '--silent', 'projections', '--', ...args], { cwd: ROOT });

describe('npm run projections, given what it cannot do', () => {
  it.each([[['build']], [['build', '7']], [['switch', 'two']], [['rollback', '1']], [[]]])(
    'refuses %j with its usage and the versions it knows, touching nothing',
    async (args) => {
      await expect(projections(...args)).rejects.toThrow(
        /usage: npm run projections -- status \| build <v> \| switch <v> \| drop <v> \(versions this code knows: 1, 2\)/,
      );
    },
  );
});
