import {
  type DeliveredEvent,
  fixtures,
  INTEGRATION_EVENT_TYPES,
  InvalidIntegrationEventError,
  readDeliveredEvent,
} from '.';

const everyFixture = (): DeliveredEvent[] => [
  fixtures.userRegistered(),
  fixtures.userProfileChanged(),
  fixtures.userBalanceChanged(),
  fixtures.userDeleted(),
  fixtures.userErased(),
  fixtures.userErasureRequested(),
  fixtures.userErasureCancelled(),
];

describe('the fixtures for subscribers’ tests', () => {
  it('are one per integration event type, each read by the reader as published', () => {
    const delivered = everyFixture();
    expect(delivered.map((event) => event['detail-type']).sort()).toEqual(
      [...INTEGRATION_EVENT_TYPES].sort(),
    );
    for (const event of delivered) {
      expect(readDeliveredEvent(event)).toEqual({
        type: event['detail-type'],
        detail: event.detail,
      });
    }
  });

  it('take what a test says, and nothing personal', () => {
    const event = fixtures.userBalanceChanged({
      user_id: 'user-7',
      version: 4,
      delta: -5,
      balance: 20,
      occurred_at: '2026-12-01T10:00:00.000Z',
      correlation_id: 'req-1',
    });
    expect(readDeliveredEvent(event).detail).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: 'user-7',
      version: 4,
      occurred_at: '2026-12-01T10:00:00.000Z',
      correlation_id: 'req-1',
      schema_version: 1,
      data: { delta: -5, balance: 20 },
    });
    expect(fixtures.userProfileChanged({ changed: ['name', 'email'] }).detail.data).toEqual({
      changed: ['email', 'name'],
    });
    const eraseAfter = '2027-01-01T10:00:00.000Z';
    for (const erasure of [
      fixtures.userErasureRequested({ erase_after: eraseAfter }),
      fixtures.userErasureCancelled({ erase_after: eraseAfter }),
    ]) {
      expect(readDeliveredEvent(erasure).detail.data).toEqual({ erase_after: eraseAfter });
    }
    expect(JSON.stringify(everyFixture())).not.toMatch(/Fixture|@example/);
  });

  it('differ in event id unless told, as distinct events do', () => {
    expect(fixtures.userDeleted().detail.event_id).not.toBe(fixtures.userDeleted().detail.event_id);
  });

  it('are refused by the reader once off the contract', () => {
    const good = fixtures.userBalanceChanged();
    for (const bad of [
      { ...good, source: 'someone-else' },
      { ...good, 'detail-type': 'user.promoted' },
      { ...good, detail: { ...good.detail, data: { delta: 0, balance: 1 } } },
      { ...good, detail: { ...good.detail, email: 'ada@example.com' } },
      { ...good, detail: { ...good.detail, schema_version: 2 } },
    ]) {
      expect(() => readDeliveredEvent(bad)).toThrow(InvalidIntegrationEventError);
    }
  });
});
