import type { RecordedEvent } from '@users/shared';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { InMemoryReadModels } from '../../application/in-memory-read-models';
import { evolveDetail, toHistoryEntry, toSummary, type UserDetail } from '../../projections';
import { createProjector } from './projector';
import {
  deliver,
  deliveryArbitrary,
  historiesArbitrary,
  toStreamRecord,
} from './stream-simulation';

const foldDetail = (events: RecordedEvent[]) =>
  events.reduce<UserDetail | null>(
    (detail, event) => evolveDetail(detail, event),
    null,
  ) as UserDetail;

describe('the projector', () => {
  it('ends in exactly the fold of each user, whatever the duplicates, reordering and batching', async () => {
    await fc.assert(
      fc.asyncProperty(
        historiesArbitrary('user'),
        deliveryArbitrary,
        async (histories, delivery) => {
          const store = new InMemoryReadModels();
          await deliver(createProjector(store), histories.flat().map(toStreamRecord), delivery);

          for (const events of histories) {
            const userId = (events[0] as RecordedEvent).aggregateId;
            const expected = foldDetail(events);
            expect(store.details.get(userId)).toEqual(expected);
            // A summary keeps the version of the last event that changed it (balances do not).
            const summary = store.summaries.get(userId);
            const expectedSummary = toSummary(expected);
            expect(summary && { userId: summary.userId, name: summary.name }).toEqual(
              expectedSummary
                ? { userId: expectedSummary.userId, name: expectedSummary.name }
                : undefined,
            );
            events.forEach((event, index) => {
              expect(store.history.get(`${userId}#${event.version}`)).toEqual(
                toHistoryEntry(event, foldDetail(events.slice(0, index + 1))),
              );
            });
          }
          expect(store.history.size).toBe(histories.flat().length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports only the poison record of a batch as failed and projects the rest', async () => {
    const store = new InMemoryReadModels();
    const project = createProjector(store);
    const [good, other] = [{ aggregateId: 'a' }, { aggregateId: 'b' }].map(
      ({ aggregateId }) =>
        ({
          type: 'USER_CREATED',
          payload: { name: 'N', email: 'n@example.com' },
          aggregateId,
          version: 1,
          eventId: '00000000-0000-4000-8000-000000000001',
          occurredAt: '2026-01-01T00:00:00.000Z',
          correlationId: 'c',
          schemaVersion: 1,
        }) as RecordedEvent,
    ) as [RecordedEvent, RecordedEvent];
    const poison = toStreamRecord({
      ...good,
      aggregateId: 'p',
      payload: { name: '' },
    } as RecordedEvent);
    const unknownType = toStreamRecord({
      ...good,
      aggregateId: 'q',
      type: 'USER_PROMOTED',
    } as unknown as RecordedEvent);
    const records = [toStreamRecord(good), poison, unknownType, toStreamRecord(other)];

    const response = await project({ Records: records } as DynamoDBStreamEvent, {} as Context);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: poison.dynamodb?.SequenceNumber },
    ]);
    expect([...store.details.keys()].sort()).toEqual(['a', 'b']);
  });
});
