import { type BuildDependencies, buildProjection } from './build-projection';

/** A build's dependencies that record what it does, in order. */
const recording = (behindRounds: number[]) => {
  const steps: string[] = [];
  const lease = { buildId: 'b', owner: 'o' };
  const deps: BuildDependencies = {
    registry: {
      startBuild: async () => {
        steps.push('register');
        return lease;
      },
      renewLease: async () => true,
      finishBuild: async () => {
        steps.push('ready');
      },
      abandonBuild: async () => {
        steps.push('abandoned');
      },
    },
    replay: async () => {
      steps.push('replay');
      return { users: 2, events: 5, failedUsers: [] };
    },
    catchUp: async () => {
      const behind = behindRounds.shift() ?? 0;
      steps.push(`caught up ${behind}`);
      return behind;
    },
    owner: 'o',
    leaseMs: 30_000,
    drainMs: 12_000,
    sleep: async (ms) => {
      steps.push(`waited ${ms}`);
    },
    log: () => {},
  };
  return { deps, steps };
};

describe('a build of a projection version', () => {
  it('waits one projector timeout after registering, so that no invocation that does not write the version is still under way when it replays', async () => {
    const { deps, steps } = recording([0]);
    await buildProjection(deps, 2);
    expect(steps.slice(0, 3)).toEqual(['register', 'waited 12000', 'replay']);
  });

  it('catches up the users the live version is ahead on (the projector leaves them to it) before it is ready', async () => {
    const { deps, steps } = recording([3, 1, 0]);
    await buildProjection(deps, 2);
    expect(steps.slice(3)).toEqual(['caught up 3', 'caught up 1', 'caught up 0', 'ready']);
  });
});
