import type { HistoryEntry, UserDetail } from '../projections';
import { fromDetailItem, fromHistoryItem, toDetailItem, toHistoryItem } from './read-model-items';

const detail: UserDetail = {
  userId: 'u1',
  name: 'Ada',
  email: 'ada@example.com',
  balance: 40,
  version: 3,
  createdAt: '2026-01-01T00:00:01.000Z',
  updatedAt: '2026-01-01T00:00:03.000Z',
  deleted: false,
  erased: false,
};
const pending = { ...detail, erasurePendingUntil: '2027-01-01T00:00:00.000Z' };

describe('the detail item', () => {
  it('keeps a pending erasure, and holds nothing of one that is not pending', () => {
    expect(toDetailItem(pending)).toMatchObject({
      ErasurePendingUntil: pending.erasurePendingUntil,
    });
    expect(fromDetailItem(toDetailItem(pending))).toEqual(pending);
    expect(toDetailItem(detail)).not.toHaveProperty('ErasurePendingUntil');
    expect(fromDetailItem(toDetailItem(detail))).toEqual(detail);
  });

  it("keeps it in a history entry's detail too (time travel shows it)", () => {
    const entry: HistoryEntry = {
      userId: 'u1',
      version: 3,
      eventType: 'USER_ERASURE_REQUESTED',
      payload: { erase_after: pending.erasurePendingUntil },
      occurredAt: pending.updatedAt,
      detailAfter: pending,
      erased: false,
    };
    expect(fromHistoryItem(toHistoryItem(entry))).toEqual(entry);
  });
});
