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

/** How many of the newest events the console shows. */
export const FEED_LENGTH = 50;

/** How long an event stays in the feed (DynamoDB's TTL deletes it some time after). */
export const FEED_KEEPS_SECONDS = 3600;

/** The feed's sort key: by time, then user and version; the feed is read newest first. */
export const feedPosition = (event: RecentEvent) =>
  `${event.occurredAt}#${event.userId}#${String(event.version).padStart(12, '0')}`;

/**
 * What of a batch's events the feed needs: its FEED_LENGTH newest. Any event among the feed's
 * newest is among the newest of its own batch, so the feed shows exactly what writing every
 * event would, for a fraction of the writes when the stream is behind.
 */
export const feedEntriesOf = (events: RecentEvent[]) =>
  events
    .map((event) => ({ event, position: Buffer.from(feedPosition(event)) }))
    // In the order DynamoDB keeps a string sort key: by UTF-8 bytes, not by locale or UTF-16.
    .sort((a, b) => Buffer.compare(b.position, a.position))
    .slice(0, FEED_LENGTH)
    .map(({ event }) => event);
