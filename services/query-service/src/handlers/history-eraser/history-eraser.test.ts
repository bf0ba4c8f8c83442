import { emfWrittenBy } from '../../../../../test/support/emf';
import type { PendingErasures } from '../../application/ports';
import { createHistoryEraser } from './history-eraser';

const eraserOver = (outcomes: Record<string, 'finished' | 'left' | 'fails'>): PendingErasures => ({
  pendingErasures: async () => Object.keys(outcomes),
  eraseHistory: async (userId) => {
    if (outcomes[userId] === 'fails') throw new Error('throttled past the retries');
    return outcomes[userId] === 'finished';
  },
});

describe('the history eraser, in its metrics (EMF, docs/operations.md)', () => {
  it('counts rewrites finished, left for the next run and failed, never naming a user', async () => {
    const { metrics, text } = await emfWrittenBy(
      createHistoryEraser(
        eraserOver({ 'user-a': 'finished', 'user-b': 'left', 'user-c': 'fails' }),
      ),
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
    const { metrics } = await emfWrittenBy(createHistoryEraser(eraserOver({})), {});
    expect(metrics.get('HistoryRewritesLeft')).toEqual([0]);
    expect(metrics.has('HistoryRewriteFailures')).toBe(false);
  });
});
