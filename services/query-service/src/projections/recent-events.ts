import type { ReadEvent } from '@users/shared';

/**
 * A line of the console's live feed: the newest events across users, kept an hour. Never any
 * personal data (an erasure has nothing to scrub here): who, which version, what, when, and a
 * balance change's delta.
 */
export type RecentEvent = {
  userId: string;
  version: number;
  eventType: string;
  occurredAt: string;
  delta?: number;
};

export const toRecentEvent = (event: ReadEvent): RecentEvent => ({
  userId: event.userId,
  version: event.version,
  eventType: event.type,
  occurredAt: event.occurredAt,
  ...(event.type === 'USER_BALANCE' && { delta: event.payload.delta }),
});
