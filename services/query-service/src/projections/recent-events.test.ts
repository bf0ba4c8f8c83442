import fc from 'fast-check';
import { FEED_LENGTH, feedEntriesOf, type RecentEvent } from './recent-events';

const eventArbitrary: fc.Arbitrary<RecentEvent> = fc.record({
  userId: fc.constantFrom('a', 'b', 'c', 'd'),
  version: fc.integer({ min: 1, max: 40 }),
  eventType: fc.constant('USER_BALANCE'),
  occurredAt: fc
    .integer({ min: 0, max: 300 })
    .map((second) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString()),
});

describe("the console's feed", () => {
  it('shows the same newest events whether a batch writes all its events or only its newest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(eventArbitrary, { maxLength: 3 * FEED_LENGTH }), { maxLength: 6 }),
        (batches) => {
          const everything = batches.flat();
          const written = batches.flatMap((batch) => feedEntriesOf(batch));
          expect(feedEntriesOf(written)).toEqual(feedEntriesOf(everything));
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
