import asyncApiDocument from '../../../services/query-service/src/portal/asyncapi.generated.json';
import { validateInPython } from '../../../test/support/python-subscriber';
import { fixtures } from '.';

describe('a subscriber in Python, with jsonschema and the AsyncAPI document', () => {
  it('validates every fixture as delivered, and refuses one off the contract', () => {
    const good = [
      fixtures.userRegistered(),
      fixtures.userProfileChanged({ changed: ['name', 'email'] }),
      fixtures.userBalanceChanged({ delta: -5, balance: 20 }),
      fixtures.userDeleted(),
      fixtures.userErased(),
      fixtures.userErasureRequested(),
      fixtures.userErasureCancelled(),
    ];
    const balance = fixtures.userBalanceChanged();
    const request = fixtures.userErasureRequested();
    const tampered: [unknown, RegExp][] = [
      [{ ...request, detail: { ...request.detail, data: {} } }, /erase_after/],
      [{ ...balance, detail: { ...balance.detail, data: { delta: 0, balance: 1 } } }, /delta/],
      [{ ...balance, detail: { ...balance.detail, email: 'ada@example.com' } }, /email/],
      [{ ...balance, detail: { ...balance.detail, event_id: 'not-a-uuid' } }, /uuid/],
      [{ ...balance, 'detail-type': 'user.promoted' }, /detail-type/],
    ];
    const verdicts = validateInPython(asyncApiDocument, [
      ...good,
      ...tampered.map(([event]) => event),
    ]);
    expect(verdicts).toEqual([
      ...good.map(() => null),
      ...tampered.map(([, reason]) => expect.stringMatching(reason)),
    ]);
  });
});
