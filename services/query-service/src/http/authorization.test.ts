import { mayQuery, type QueryRoute } from './authorization';

const admin = { subject: 'root', admin: true };
const alice = { subject: 'alice', admin: false };

describe('who may read what', () => {
  const table: [typeof admin, QueryRoute, string | undefined, boolean][] = [
    [admin, 'list', undefined, true],
    [admin, 'detail', 'alice', true],
    [admin, 'history', 'alice', true],
    [alice, 'list', undefined, false],
    [alice, 'feed', undefined, false],
    [alice, 'feed', 'alice', false],
    [admin, 'feed', undefined, true],
    [alice, 'detail', 'alice', true],
    [alice, 'history', 'alice', true],
    [alice, 'detail', 'bob', false],
    [alice, 'history', 'bob', false],
    [alice, 'detail', undefined, false],
    // An erasure's receipt: administrators only, even for one's own user.
    [admin, 'erasures', 'alice', true],
    [alice, 'erasures', 'alice', false],
    [alice, 'erasures', 'bob', false],
  ];
  it.each(table)('%o on %s of %s: %s', (caller, route, userId, allowed) => {
    expect(mayQuery(caller, route, userId)).toBe(allowed);
  });
});
