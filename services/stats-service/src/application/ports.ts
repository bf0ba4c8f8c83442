import type { DailyFigures } from '../domain/daily-figures';

export interface StatsStore {
  /**
   * Adds the figures to the day, once per event id: false (nothing changed) when this event
   * was already counted.
   */
  addOnce(eventId: string, day: string, figures: Partial<DailyFigures>): Promise<boolean>;
  /** Every day from `from` to `to` (YYYY-MM-DD, inclusive) that has figures. */
  figuresBetween(from: string, to: string): Promise<Map<string, DailyFigures>>;
}
