import type { UserReadModels } from '../projections';
import type { ProjectionState } from './ports';
import { restoreInWriteOrder, writeOrder } from './restore-in-write-order';

const models = { detail: { userId: 'u1', version: 3 } } as UserReadModels;

describe('the write order of a repair (rebuild, redrive, a build catching up)', () => {
  it("writes a switch's target before the live version, then every other version whose tables are kept", () => {
    expect(
      writeOrder({
        live: 1,
        followers: [
          { version: 3 as unknown as 2, state: 'retained' },
          { version: 2, state: 'ready', switching: true },
          { version: 4 as unknown as 2, state: 'ready', behind: { at: 't', reason: 'r' } },
        ],
      }),
    ).toEqual([2, 1, 3, 4]);
  });

  it('writes each user into all of them in that order, and follows a switch prepared meanwhile', async () => {
    const written: number[] = [];
    let state: ProjectionState = { live: 1, followers: [{ version: 2, state: 'ready' }] };
    const restorer = restoreInWriteOrder(
      async () => state,
      (version) => ({
        restoreUser: async () => {
          written.push(version);
        },
      }),
    );
    await restorer.restoreUser(models);
    expect(written).toEqual([1, 2]);
    state = { live: 1, followers: [{ version: 2, state: 'ready', switching: true }] };
    await new Promise((resolve) => setTimeout(resolve, 1100));
    written.length = 0;
    await restorer.restoreUser(models);
    expect(written).toEqual([2, 1]);
  });
});
