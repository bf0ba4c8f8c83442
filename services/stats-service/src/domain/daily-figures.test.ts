import { fixtures, readDeliveredEvent } from '@users/events';
import { addFigures, figuresOf, foldDailyFigures, NO_FIGURES } from './daily-figures';

const DAY = '2026-12-01';
const at = (day: string) => ({ occurred_at: `${day}T10:00:00.000Z` });

describe('what one integration event adds to its day', () => {
  it.each([
    ['user.registered', fixtures.userRegistered(), { registered: 1 }],
    ['user.deleted', fixtures.userDeleted(), { deleted: 1 }],
    ['user.erased', fixtures.userErased(), { erased: 1 }],
    [
      'user.balance-changed',
      fixtures.userBalanceChanged({ delta: -5, balance: 20 }),
      { balanceChanges: 1, balanceVolume: -5 },
    ],
    ['user.erasure-requested', fixtures.userErasureRequested(), { erasureRequests: 1 }],
    ['user.erasure-cancelled', fixtures.userErasureCancelled(), { erasureCancellations: 1 }],
    ['user.profile-changed', fixtures.userProfileChanged(), {}],
  ])('%s adds %j', (_, delivered, figures) => {
    expect(figuresOf(readDeliveredEvent(delivered))).toEqual(figures);
  });
});

describe('the daily figures of a set of events', () => {
  it('count erasure requests and cancellations per day, beside the other figures', () => {
    const eraseAfter = '2026-12-31T10:00:00.000Z';
    const events = [
      fixtures.userRegistered(at(DAY)),
      fixtures.userErasureRequested({ ...at(DAY), erase_after: eraseAfter }),
      fixtures.userErasureRequested(at(DAY)),
      fixtures.userErasureCancelled({ ...at('2026-12-02'), erase_after: eraseAfter }),
      fixtures.userProfileChanged(at('2026-12-03')),
    ].map(readDeliveredEvent);
    expect(foldDailyFigures(events)).toEqual(
      new Map([
        [DAY, { ...NO_FIGURES, registered: 1, erasureRequests: 2 }],
        ['2026-12-02', { ...NO_FIGURES, erasureCancellations: 1 }],
      ]),
    );
  });

  it('add up every figure, none left out', () => {
    const ones = Object.fromEntries(Object.keys(NO_FIGURES).map((field) => [field, 1]));
    expect(addFigures(addFigures(NO_FIGURES, ones), ones)).toEqual(
      Object.fromEntries(Object.keys(NO_FIGURES).map((field) => [field, 2])),
    );
  });
});
