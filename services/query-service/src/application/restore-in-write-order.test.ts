import type { UserReadModels } from '../projections';
import { type ProjectionState, TablesGone } from './ports';
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
    ).toEqual([
      { version: 2, full: true },
      { version: 1, full: true },
      { version: 3, full: false },
      { version: 4, full: false },
    ]);
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

  it('writes only erased users into the versions no longer written, and skips one whose tables are gone', async () => {
    const written: string[] = [];
    const restorer = restoreInWriteOrder(
      async () => ({
        live: 1,
        followers: [
          { version: 2, state: 'retained' },
          { version: 3 as unknown as 2, state: 'retained' },
        ],
      }),
      (version) => ({
        restoreUser: async ({ detail }) => {
          if ((version as number) === 3) throw new TablesGone('users-v3');
          written.push(`${detail.userId}@${version}`);
        },
      }),
    );
    await restorer.restoreUser(models);
    await restorer.restoreUser({
      detail: { userId: 'u2', version: 4, erased: true },
    } as UserReadModels);
    expect(written).toEqual(['u1@1', 'u2@1', 'u2@2']);
  });
});
