import { logger, type ReadEvent } from '@users/shared';
import { INTEGRATION_SOURCE, toIntegrationEvent } from '@users/shared/integration';
import {
  balanceChanged,
  created,
  recordedEvents,
  updated,
} from '../../../../../test/fixtures/events';
import { emfWrittenBy } from '../../../../../test/support/emf';
import type { StatsStore } from '../../application/ports';
import { createRecorder } from './recorder';

const USER = 'stats-outsider-7f3a';
const [registration, rename, balance] = recordedEvents(USER, [
  created('Outside Ada', 'outside@example.com'),
  updated({ name: 'Outside Bea' }),
  balanceChanged(5),
]) as ReadEvent[];

/** What EventBridge hands the subscriber for an integration event. */
const delivered = (event: ReadEvent) => {
  const { type, detail } = toIntegrationEvent(event, 5);
  return { version: '0', id: 'delivery', 'detail-type': type, source: INTEGRATION_SOURCE, detail };
};

/** The subscriber's store, remembering what it was asked to count. */
const storeCounting = () => {
  const added: string[] = [];
  const store: StatsStore = {
    addOnce: async (eventId) => {
      added.push(eventId);
      return true;
    },
    figuresBetween: async () => new Map(),
  };
  return { store, added };
};

describe('the stats recorder, given an event outside what its rule selects', () => {
  const schema2 = delivered(registration as ReadEvent);
  const outsiders = {
    'a newer schema version': {
      ...schema2,
      detail: { ...schema2.detail, schema_version: 2, data: { plan: 'gold' } },
    },
    'a new user.* type': { ...delivered(balance as ReadEvent), 'detail-type': 'user.promoted' },
    'a type it does not count': delivered(rename as ReadEvent),
    'no schema version': { ...schema2, detail: { ...schema2.detail, schema_version: undefined } },
    'not even an object': 'user.registered',
  };

  it.each(Object.entries(outsiders))(
    'lets %s pass: counted as ignored, logged without its user, never thrown (no retry, no failure queue)',
    async (_, outsider) => {
      const { store, added } = storeCounting();
      const warned = jest.spyOn(logger, 'warn');
      try {
        const { metrics, failure, text } = await emfWrittenBy(createRecorder(store), outsider);
        expect(failure).toBeUndefined();
        expect(Object.fromEntries(metrics)).toEqual({ EventsIgnored: [1] });
        expect(added).toEqual([]);
        expect(warned).toHaveBeenCalledTimes(1);
        expect(JSON.stringify(warned.mock.calls)).not.toContain(USER);
        expect(text).not.toContain(USER);
      } finally {
        warned.mockRestore();
      }
    },
  );

  it('still counts what it selects, and still refuses a selected event that breaks the contract', async () => {
    const { store, added } = storeCounting();
    const recorder = createRecorder(store);
    const counted = await emfWrittenBy(recorder, delivered(balance as ReadEvent));
    expect(counted.failure).toBeUndefined();
    expect(added).toEqual([balance?.eventId]);
    const broken = delivered(balance as ReadEvent);
    const refused = await emfWrittenBy(recorder, {
      ...broken,
      detail: { ...broken.detail, data: { delta: 0, balance: 5 } },
    });
    expect(refused.failure).toBeInstanceOf(Error);
    expect(added).toHaveLength(1);
  });
});
