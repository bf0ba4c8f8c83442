import { emfWrittenBy } from '../../../../../test/support/emf';
import { InMemoryReadModelStore } from '../../../../../test/support/in-memory-read-model-store';
import type {
  ErasureMark,
  ErasureTarget,
  PendingErasures,
  RecordedErasures,
} from '../../application/ports';
import { TablesGone } from '../../application/ports';
import { createHistoryEraser } from './history-eraser';

type Store = PendingErasures & ErasureTarget & RecordedErasures;
/** No receipts here: no rewrite waits on its record. */
const noReceipts = { rewriteHistory: async () => null, endErasure: async () => {} };
const hideNothing = { hideErased: async () => {}, ...noReceipts };
const storeOver = (outcomes: Record<string, 'finished' | 'left' | 'fails'>): Store => ({
  pendingErasures: async () => Object.keys(outcomes),
  eraseHistory: async (userId) => {
    if (outcomes[userId] === 'fails') throw new Error('throttled past the retries');
    return outcomes[userId] === 'finished';
  },
  ...hideNothing,
});
const noMarks = { erasureMarks: async () => [], clearErasureMark: async () => {} };
const onlyVersion = { state: async () => ({ live: 1 as const, followers: [] }), ...noMarks };
const eraserOver = (outcomes: Record<string, 'finished' | 'left' | 'fails'>) =>
  createHistoryEraser(onlyVersion, () => storeOver(outcomes));

describe('the history eraser, in its metrics (EMF, docs/operations.md)', () => {
  it('counts rewrites finished, left for the next run and failed, never naming a user', async () => {
    const { metrics, text } = await emfWrittenBy(
      eraserOver({ 'user-a': 'finished', 'user-b': 'left', 'user-c': 'fails' }),
      {},
    );
    expect(Object.fromEntries(metrics)).toMatchObject({
      HistoryRewritesFinished: [1],
      HistoryRewritesLeft: [1],
      HistoryRewriteFailures: [1],
    });
    expect(text).not.toMatch(/user-[abc]/);
  });

  it('says "nothing left" with a zero, so that a run is told apart from no run', async () => {
    const { metrics } = await emfWrittenBy(eraserOver({}), {});
    expect(metrics.get('HistoryRewritesLeft')).toEqual([0]);
    expect(metrics.has('HistoryRewriteFailures')).toBe(false);
  });

  it('gives each version its share of the run: a rewrite that takes all its time, or fails, stops no other', async () => {
    const registry = {
      state: async () => ({
        live: 2 as const,
        followers: [
          { version: 1 as const, state: 'ready' as const },
          { version: 3 as unknown as 1, state: 'ready' as const },
        ],
      }),
      ...noMarks,
    };
    const endless: Store = {
      ...hideNothing,
      pendingErasures: async () => ['user-long'],
      eraseHistory: async (_userId, deadline) => {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
        return false;
      },
    };
    const failing: Store = {
      ...hideNothing,
      pendingErasures: async () => {
        throw new Error('throttled');
      },
      eraseHistory: async () => true,
    };
    const stores: Record<number, Store> = {
      2: endless,
      1: failing,
      3: storeOver({ 'user-short': 'finished' }),
    };
    const eraser = createHistoryEraser(registry, (version) => stores[version] as Store);
    const { metrics } = await emfWrittenBy(
      eraser,
      {},
      {
        functionName: 'test',
        getRemainingTimeInMillis: () => 5000 + 600,
      },
    );
    expect(Object.fromEntries(metrics)).toMatchObject({
      HistoryRewritesFinished: [1],
      HistoryRewritesLeft: [1],
      HistoryRewriteFailures: [1],
    });
  });

  it("ends a recorded rewrite within the records' time: a stalled table is given up before the function's timeout", async () => {
    const given: string[] = [];
    const stalledEnd = (_version: number, signal?: AbortSignal): Store => ({
      pendingErasures: async () => ['user-a'],
      eraseHistory: async () => true,
      hideErased: async () => {},
      rewriteHistory: async (userId) => ({ userId }),
      // Never answered: only the signal ends it.
      endErasure: () =>
        new Promise((_, reject) => {
          signal?.addEventListener('abort', () => {
            given.push('endErasure');
            reject(signal.reason);
          });
        }),
    });
    const receipts = { detailHidden: async () => true, historyRewritten: async () => true };
    // 5.6 s left: the rewrites stop at 0.6 s, the records are given up at 4.6 s.
    const { result } = await emfWrittenBy(
      createHistoryEraser(onlyVersion, stalledEnd, receipts),
      {},
      { functionName: 'test', getRemainingTimeInMillis: () => 5600 },
    );
    expect(result).toMatchObject({ finished: 1 });
    expect(given).toEqual(['endErasure']);
  });

  it('finishes the rewrites of every projection version the projector writes, live first', async () => {
    const seen: number[] = [];
    const registry = {
      state: async () => ({
        live: 2 as const,
        followers: [{ version: 1 as const, state: 'ready' as const }],
      }),
      ...noMarks,
    };
    const { metrics } = await emfWrittenBy(
      createHistoryEraser(registry, (version) => {
        seen.push(version);
        return storeOver({ [`user-${version}`]: 'finished' });
      }),
      {},
    );
    expect(seen).toEqual([2, 1]);
    expect(metrics.get('HistoryRewritesFinished')).toEqual([2]);
  });

  it("hides users erased while a version was behind or dropped (the projector's marks), and clears each mark once done", async () => {
    const behind = new InMemoryReadModelStore();
    const retained = new InMemoryReadModelStore();
    const live = new InMemoryReadModelStore();
    const named = (userId: string) => ({
      userId,
      name: 'Ada',
      email: 'ada@example.com',
      balance: 0,
      version: 3,
      createdAt: 't',
      updatedAt: 't',
      deleted: false,
      erased: false,
    });
    await behind.advance(named('u1'), 0);
    await retained.advance(named('u1'), 0);
    let marks: ErasureMark[] = [
      { version: 2, userId: 'u1' },
      { version: 3 as unknown as 2, userId: 'u1' },
      // A version whose tables are gone, and one no longer registered at all.
      { version: 4 as unknown as 2, userId: 'u1' },
      { version: 5 as unknown as 2, userId: 'u1' },
    ];
    const registry = {
      state: async () => ({
        live: 1 as const,
        followers: [
          { version: 2 as const, state: 'ready' as const, behind: { at: 't', reason: 'r' } },
          { version: 3 as unknown as 2, state: 'retained' as const },
          { version: 4 as unknown as 2, state: 'retained' as const },
        ],
      }),
      erasureMarks: async () => marks,
      clearErasureMark: async (cleared: ErasureMark) => {
        marks = marks.filter((mark) => mark !== cleared);
      },
    };
    const gone: Store = {
      pendingErasures: async () => [],
      eraseHistory: async () => true,
      ...noReceipts,
      hideErased: async () => {
        throw new TablesGone('users-v4');
      },
    };
    const stores: Record<number, Store> = { 1: live, 2: behind, 3: retained, 4: gone };
    const eraser = createHistoryEraser(registry, (version) => stores[version] as Store);
    const { metrics } = await emfWrittenBy(eraser, {});
    expect(metrics.get('ErasureMarksApplied')).toEqual([4]);
    expect(marks).toEqual([]);
    for (const store of [behind, retained]) {
      expect(store.details.get('u1')).toMatchObject({ name: null, email: null, erased: true });
      // Left for the next run: a projector invocation begun before the mark may still write.
      expect(store.erasing.has('u1')).toBe(true);
    }
    await emfWrittenBy(eraser, {});
    expect(behind.erasing.size + retained.erasing.size).toBe(0);
  });
});
