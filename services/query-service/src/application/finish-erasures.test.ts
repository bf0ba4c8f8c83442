import { finishErasures } from './finish-erasures';
import type { PendingErasures } from './ports';

/** Erased users in key order, each with a history too long to finish in one pass. */
const pendingInKeyOrder = (count: number) => {
  const userIds = Array.from({ length: count }, (_, i) => `user-${String(i).padStart(5, '0')}`);
  const attempted = new Set<string>();
  const store: PendingErasures = {
    pendingErasures: async (limit) => userIds.slice(0, limit),
    eraseHistory: async (userId) => {
      attempted.add(userId);
      return false;
    },
  };
  return { store, attempted };
};

describe('the history eraser (finishErasures)', () => {
  it('looks at every pending user, not only the first in key order: none starves behind long histories', async () => {
    const { store, attempted } = pendingInKeyOrder(3000);
    const report = await finishErasures(store, Number.POSITIVE_INFINITY);
    expect(attempted.has('user-02999')).toBe(true);
    expect(report.unfinished).toBe(3000);
  });

  it('leaves out the users it is told to skip, counted as left for the next run', async () => {
    const { store, attempted } = pendingInKeyOrder(3);
    const report = await finishErasures(store, Number.POSITIVE_INFINITY, {
      skip: new Set(['user-00001']),
    });
    expect([...attempted].sort()).toEqual(['user-00000', 'user-00002']);
    expect(report.unfinished).toBe(3);
  });
});
