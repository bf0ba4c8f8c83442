import {
  changedReleasedSchemas,
  LOCKS,
  releasedFingerprints,
  withNewVersions,
} from './released-schemas';

describe.each(LOCKS)('released schemas of $file', ({ file, current, typesMayBeAdded }) => {
  it('are all still in the code, unchanged (a change needs a new version)', () => {
    expect(
      changedReleasedSchemas(releasedFingerprints(file), current(), { typesMayBeAdded }),
    ).toEqual([]);
  });

  it('include every version the code writes or reads (npm run generate records a new one)', () => {
    expect(releasedFingerprints(file)).toEqual(current());
  });
});

describe('the lock of released schemas', () => {
  it('catch a released schema that changed, went missing or gained a type', () => {
    const released = { '1': { USER_CREATED: 'abc', USER_DELETED: 'def' } };
    const current = {
      '1': { USER_CREATED: 'xyz', USER_PROMOTED: 'new' },
      '2': { USER_CREATED: 'new' },
    };
    expect(changedReleasedSchemas(released, current)).toEqual([
      'USER_CREATED@1',
      'USER_DELETED@1',
      'USER_PROMOTED@1',
    ]);
    expect(() => withNewVersions(released, current)).toThrow(/USER_CREATED@1, USER_DELETED@1/);
    expect(
      withNewVersions(
        { '1': { USER_CREATED: 'abc' } },
        { '1': { USER_CREATED: 'abc' }, '2': { X: 'n' } },
      ),
    ).toEqual({
      '1': { USER_CREATED: 'abc' },
      '2': { X: 'n' },
    });
  });
});

describe('the lock of integration events (a detail-type reaches only those who ask for it)', () => {
  const released = { '1': { 'user.registered': 'abc', 'user.deleted': 'def' } };

  it('lets a released version gain a detail-type, and records it', () => {
    const current = { '1': { ...released['1'], 'user.promoted': 'new' } };
    expect(changedReleasedSchemas(released, current, { typesMayBeAdded: true })).toEqual([]);
    expect(withNewVersions(released, current, { typesMayBeAdded: true })).toEqual(current);
  });

  it('still refuses a changed or dropped one', () => {
    const current = { '1': { 'user.registered': 'xyz' } };
    expect(changedReleasedSchemas(released, current, { typesMayBeAdded: true })).toEqual([
      'user.registered@1',
      'user.deleted@1',
    ]);
  });
});
