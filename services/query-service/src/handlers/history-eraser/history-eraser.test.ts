import { emfWrittenBy } from '../../../../../test/support/emf';
import type { PendingErasures } from '../../application/ports';
import { createHistoryEraser } from './history-eraser';

const storeOver = (outcomes: Record<string, 'finished' | 'left' | 'fails'>): PendingErasures => ({
  pendingErasures: async () => Object.keys(outcomes),
  eraseHistory: async (userId) => {
    if (outcomes[userId] === 'fails') throw new Error('throttled past the retries');
    return outcomes[userId] === 'finished';
  },
});
const onlyVersion = { state: async () => ({ live: 1 as const, followers: [] }) };
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
    };
    const endless: PendingErasures = {
      pendingErasures: async () => ['user-long'],
      eraseHistory: async (_userId, deadline) => {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
        return false;
      },
    };
    const failing: PendingErasures = {
      pendingErasures: async () => {
        throw new Error('throttled');
      },
      eraseHistory: async () => true,
    };
    const stores: Record<number, PendingErasures> = {
      2: endless,
      1: failing,
      3: storeOver({ 'user-short': 'finished' }),
    };
    const eraser = createHistoryEraser(registry, (version) => stores[version] as PendingErasures);
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

  it('finishes the rewrites of every projection version the projector writes, live first', async () => {
    const seen: number[] = [];
    const registry = {
      state: async () => ({
        live: 2 as const,
        followers: [{ version: 1 as const, state: 'ready' as const }],
      }),
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
});
