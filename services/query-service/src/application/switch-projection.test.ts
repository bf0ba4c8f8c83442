import type { ProjectionVersion } from '../projections';
import { type Comparison, SwitchRefused, switchProjection } from './switch-projection';

const setUp = (
  comparison: Comparison,
  { live = 1 as ProjectionVersion, commitFails = false } = {},
) => {
  const steps: string[] = [];
  const deps = {
    registry: {
      state: async () => ({ live }),
      prepareSwitch: async (v: ProjectionVersion) => void steps.push(`prepare ${v}`),
      cancelSwitch: async (v: ProjectionVersion) => void steps.push(`cancel ${v}`),
      commitSwitch: async (from: ProjectionVersion, to: ProjectionVersion) => {
        steps.push(`commit ${from}->${to}`);
        if (commitFails) throw new Error('overtaken');
      },
    },
    compare: async () => {
      steps.push('compare');
      return comparison;
    },
    drainMs: 12_000,
    sleep: async (ms: number) => void steps.push(`wait ${ms}`),
    log: () => {},
  };
  return { deps, steps };
};

const caughtUp = { users: 3, behind: 0, examples: [] };

describe('switching the live projection version', () => {
  it('prepares, lets invocations under way end, checks every user, then moves in one step', async () => {
    const { deps, steps } = setUp(caughtUp);
    expect(await switchProjection(deps, 2)).toEqual({ from: 1, to: 2, users: 3 });
    expect(steps).toEqual(['prepare 2', 'wait 12000', 'compare', 'commit 1->2']);
  });

  it('is refused, with the users behind, before the target has caught up', async () => {
    const { deps, steps } = setUp({ users: 3, behind: 1, examples: ['u1 at 2 of 5'] });
    await expect(switchProjection(deps, 2)).rejects.toThrow(
      new SwitchRefused(
        'version 2 has not caught up: 1 of 3 users are behind version 1 (u1 at 2 of 5)',
      ),
    );
    expect(steps).toEqual(['prepare 2', 'wait 12000', 'compare', 'cancel 2']);
  });

  it('leaves nothing prepared when the commit is overtaken', async () => {
    const { deps, steps } = setUp(caughtUp, { commitFails: true });
    await expect(switchProjection(deps, 2)).rejects.toThrow('overtaken');
    expect(steps.at(-1)).toBe('cancel 2');
  });

  it('is refused for the version already live (switching back is the same step the other way)', async () => {
    const { deps, steps } = setUp(caughtUp, { live: 2 });
    await expect(switchProjection(deps, 2)).rejects.toThrow('version 2 is already live');
    expect(steps).toEqual([]);
    expect(await switchProjection(deps, 1)).toEqual({ from: 2, to: 1, users: 3 });
  });
});
