import type { RecordedEvent, UserEvent } from '@users/shared';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { created, recordedEvents } from '../../../../../test/fixtures/events';
import { InMemoryReadModelStore } from '../../../../../test/support/in-memory-read-model-store';
import {
  deliver,
  deliveryArbitrary,
  historiesArbitrary,
  toStreamRecord,
} from '../../../../../test/support/stream-simulation';
import {
  evolveDetail,
  foldUserReadModels,
  toHistoryEntry,
  type UserDetail,
} from '../../projections';
import { createProjector } from './projector';

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
          const store = new InMemoryReadModelStore();
          await deliver(createProjector(store), histories.flat().map(toStreamRecord), delivery);

          for (const events of histories) {
            const userId = (events[0] as RecordedEvent).userId;
            const expected = foldDetail(events);
            expect(store.details.get(userId)).toEqual(expected);
            events.forEach((event, index) => {
              expect(store.history.get(`${userId}#${event.version}`)).toEqual(
                toHistoryEntry(event, foldDetail(events.slice(0, index + 1))),
              );
            });
          }
          expect(store.history.size).toBe(histories.flat().length);
          // A rebuild (foldUserReadModels) arrives at the very same read models as the live projector.
          for (const events of histories) {
            const userId = (events[0] as RecordedEvent).userId;
            expect(foldUserReadModels(events)).toEqual({
              detail: store.details.get(userId),
              history: events.map((event) => store.history.get(`${userId}#${event.version}`)),
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports only the poison record of a batch as failed and projects the rest', async () => {
    const store = new InMemoryReadModelStore();
    const project = createProjector(store);
    const event = (userId: string, version: number, body: object) =>
      recordedEvents(userId, [body as UserEvent], { firstVersion: version })[0] as RecordedEvent;
    const create = created('N', 'n@example.com');
    const poison = toStreamRecord(event('p', 1, { ...create, payload: { name: '' } }));
    const records = [
      toStreamRecord(event('a', 1, create)),
      poison,
      toStreamRecord(event('a', 2, { type: 'USER_PROMOTED', payload: { level: 2 } })),
      toStreamRecord(event('a', 3, { type: 'USER_BALANCE', payload: { delta: 4 } })),
      toStreamRecord(event('b', 1, create)),
    ];

    const response = await project({ Records: records } as DynamoDBStreamEvent, {} as Context);

    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: poison.dynamodb?.SequenceNumber },
    ]);
    expect([...store.details.keys()].sort()).toEqual(['a', 'b']);
    // The unknown USER_PROMOTED is skipped without blocking the event after it.
    expect(store.details.get('a')).toMatchObject({ version: 3, balance: 4 });
  });
});
