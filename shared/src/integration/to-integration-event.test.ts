import fc from 'fast-check';
import {
  balanceChanged,
  created,
  deleted,
  erased,
  recordedEvents,
  updated,
} from '../../../test/fixtures/events';
import { historiesArbitrary } from '../../../test/support/stream-simulation';
import type { ReadEvent } from '../events/types';
import { InvalidIntegrationEventError, readDeliveredEvent } from './read-delivered-event';
import { INTEGRATION_SOURCE } from './schemas';
import { toIntegrationEvent } from './to-integration-event';

/** What EventBridge hands a subscriber for an integration event. */
const delivered = ({ type, detail }: ReturnType<typeof toIntegrationEvent>) => ({
  version: '0',
  id: 'x',
  'detail-type': type,
  source: INTEGRATION_SOURCE,
  time: detail.occurred_at,
  detail,
});

describe('the public face of a stored event', () => {
  const [made, rename, balance, deletion, erasure] = recordedEvents('u1', [
    created('Canary Ada', 'canary@example.com'),
    updated({ name: 'Canary Renamed', email: 'canary.new@example.com' }),
    balanceChanged(-7),
    deleted,
    erased,
  ]) as ReadEvent[];

  it('is one integration event per stored one, with the envelope subscribers rely on', () => {
    expect(toIntegrationEvent(balance as ReadEvent, 33)).toEqual({
      type: 'user.balance-changed',
      detail: {
        event_id: balance?.eventId,
        user_id: 'u1',
        version: 3,
        occurred_at: balance?.occurredAt,
        correlation_id: 'test',
        schema_version: 1,
        data: { delta: -7, balance: 33 },
      },
    });
    expect(
      [made, rename, deletion, erasure].map((e) => toIntegrationEvent(e as ReadEvent, 0)),
    ).toEqual([
      expect.objectContaining({
        type: 'user.registered',
        detail: expect.objectContaining({ data: {} }),
      }),
      expect.objectContaining({
        type: 'user.profile-changed',
        detail: expect.objectContaining({ data: { changed: ['email', 'name'] } }),
      }),
      expect.objectContaining({ type: 'user.deleted' }),
      expect.objectContaining({ type: 'user.erased' }),
    ]);
  });

  it('never carries personal data, and always matches the published contract', () => {
    fc.assert(
      fc.property(historiesArbitrary('pub'), (histories) => {
        for (const event of histories.flat()) {
          const published = toIntegrationEvent(event, 0);
          expect(JSON.stringify(published)).not.toMatch(/Zed|Ann|Bea|Cy|@example/);
          expect(readDeliveredEvent(delivered(published))).toEqual(published);
        }
      }),
    );
  });

  it('is refused by a subscriber when it breaks the contract', () => {
    const good = delivered(toIntegrationEvent(balance as ReadEvent, 1));
    for (const bad of [
      { ...good, source: 'someone-else' },
      { ...good, 'detail-type': 'user.promoted' },
      { ...good, detail: { ...good.detail, data: { delta: 0, balance: 1 } } },
      { ...good, detail: { ...good.detail, name: 'Ada' } },
    ]) {
      expect(() => readDeliveredEvent(bad)).toThrow(InvalidIntegrationEventError);
    }
  });
});
