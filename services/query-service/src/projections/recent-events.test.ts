import fc from 'fast-check';
import { FEED_LENGTH, feedEntriesOf, feedPosition, type RecentEvent } from './recent-events';

const eventArbitrary: fc.Arbitrary<RecentEvent> = fc.record({
  // DynamoDB orders by UTF-8 bytes: a locale would put 'B' after 'a', and UTF-16 'ｚ' after '😀'.
  userId: fc.constantFrom('a', 'B', 'ｚ', '😀'),
  version: fc.integer({ min: 1, max: 40 }),
  eventType: fc.constant('USER_BALANCE'),
  occurredAt: fc
    .integer({ min: 0, max: 20 })
    .map((second) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString()),
});

describe("the console's feed", () => {
  it('shows the same newest events whether a batch writes all its events or only its newest', () => {
    fc.assert(
      fc.property(
        // A batch holds each event once (apply-events skips those already applied).
        fc.array(
          fc.uniqueArray(eventArbitrary, {
            selector: feedPosition,
            maxLength: 3 * FEED_LENGTH,
            size: 'max',
          }),
          { maxLength: 4 },
        ),
        (batches) => {
          const everything = batches.flat();
          const written = batches.flatMap((batch) => feedEntriesOf(batch));
          // What the table holds, read newest first as the feed route reads it.
          const tableOrder = (events: RecentEvent[]) =>
            [...new Set(events.map(feedPosition))]
              .sort((a, b) => Buffer.compare(Buffer.from(b), Buffer.from(a)))
              .slice(0, FEED_LENGTH);
          expect(tableOrder(written)).toEqual(tableOrder(everything));
        },
      ),
    );
  });

  it('keeps at most FEED_LENGTH entries of a batch, the newest first', () => {
    const events = Array.from({ length: 120 }, (_, i) => ({
      userId: 'a',
      version: i + 1,
      eventType: 'USER_BALANCE',
      occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    }));
    expect(feedEntriesOf(events).map((e) => e.version)).toEqual(
      Array.from({ length: FEED_LENGTH }, (_, i) => 120 - i),
    );
  });
});
