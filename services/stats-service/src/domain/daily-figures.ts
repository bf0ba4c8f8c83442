import type { IntegrationEvent } from '@users/events';

/** What the stats service counts per day (UTC) from the integration events. */
export type DailyFigures = {
  registered: number;
  deleted: number;
  erased: number;
  balanceChanges: number;
  /** The sum of the balance changes' deltas. */
  balanceVolume: number;
  /** Erasures asked for with a grace period (user.erased follows unless cancelled). */
  erasureRequests: number;
  /** Requested erasures called off before they were carried out. */
  erasureCancellations: number;
};

export const NO_FIGURES: DailyFigures = {
  registered: 0,
  deleted: 0,
  erased: 0,
  balanceChanges: 0,
  balanceVolume: 0,
  erasureRequests: 0,
  erasureCancellations: 0,
};

/** The day (YYYY-MM-DD, UTC) an event counts for: when it occurred, not when it arrived. */
export const dayOf = (event: IntegrationEvent) => event.detail.occurred_at.slice(0, 10);

/**
 * What one event adds to its day. Additions commute: the figures are the same in any order of
 * delivery, so only duplicates must be kept out (by event id).
 */
export const figuresOf = (event: IntegrationEvent): Partial<DailyFigures> => {
  switch (event.type) {
    case 'user.registered':
      return { registered: 1 };
    case 'user.deleted':
      return { deleted: 1 };
    case 'user.erased':
      return { erased: 1 };
    case 'user.balance-changed':
      return { balanceChanges: 1, balanceVolume: event.detail.data.delta };
    case 'user.erasure-requested':
      return { erasureRequests: 1 };
    case 'user.erasure-cancelled':
      return { erasureCancellations: 1 };
    case 'user.profile-changed':
      return {};
  }
};

export const addFigures = (a: DailyFigures, b: Partial<DailyFigures>): DailyFigures => ({
  registered: a.registered + (b.registered ?? 0),
  deleted: a.deleted + (b.deleted ?? 0),
  erased: a.erased + (b.erased ?? 0),
  balanceChanges: a.balanceChanges + (b.balanceChanges ?? 0),
  balanceVolume: a.balanceVolume + (b.balanceVolume ?? 0),
  erasureRequests: a.erasureRequests + (b.erasureRequests ?? 0),
  erasureCancellations: a.erasureCancellations + (b.erasureCancellations ?? 0),
});

/** Every day's figures from a set of distinct events: what the store must hold (days with any). */
export const foldDailyFigures = (events: readonly IntegrationEvent[]) => {
  const days = new Map<string, DailyFigures>();
  for (const event of events) {
    const figures = figuresOf(event);
    if (Object.keys(figures).length === 0) continue;
    days.set(dayOf(event), addFigures(days.get(dayOf(event)) ?? NO_FIGURES, figures));
  }
  return days;
};
