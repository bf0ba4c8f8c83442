import { storeDisagreements } from './store-accounting';

describe('storeDisagreements', () => {
  const stored = new Map([
    ['accepted', ['e1']],
    ['shared', ['e2']],
  ]);

  it('finds nothing when the store holds exactly the acknowledged events', () => {
    expect(
      storeDisagreements(
        [
          { correlationId: 'accepted', storedEventId: 'e1' },
          { correlationId: 'refused' },
          { correlationId: 'shared', storedEventId: 'e2' },
          { correlationId: 'shared' },
        ],
        stored,
      ),
    ).toEqual([]);
  });

  it('catches a refusal that stored something', () => {
    expect(storeDisagreements([{ correlationId: 'accepted' }], stored)).toEqual([
      'accepted: 0 event(s) acknowledged, 1 stored',
    ]);
  });

  it('catches an acknowledged event that is missing or stored twice', () => {
    expect(
      storeDisagreements(
        [
          { correlationId: 'lost', storedEventId: 'e9' },
          { correlationId: 'twice', storedEventId: 'e3' },
        ],
        new Map([['twice', ['e3', 'e4']]]),
      ),
    ).toEqual([
      'lost: 1 event(s) acknowledged, 0 stored',
      'twice: 1 event(s) acknowledged, 2 stored',
    ]);
  });
});
