import { maySendCommand } from './authorization';

const admin = { subject: 'root', admin: true };
const alice = { subject: 'alice', admin: false };

describe('who may send a command for a user', () => {
  it.each([
    [admin, 'alice', true],
    [admin, 'root', true],
    [alice, 'alice', true],
    [alice, 'bob', false],
    [alice, 'Alice', false],
    [alice, 'alice ', false],
  ])('%o for %j: %s', (caller, userId, allowed) => {
    expect(maySendCommand(caller, userId)).toBe(allowed);
  });
});

describe('who may erase a user at once, without the grace period', () => {
  it('is an administrator only: a user asks for an erasure with a grace period', () => {
    expect(maySendCommand(admin, 'alice', 'USER_ERASED')).toBe(true);
    expect(maySendCommand(alice, 'alice', 'USER_ERASED')).toBe(false);
    expect(maySendCommand(alice, 'alice', 'USER_ERASURE_REQUESTED')).toBe(true);
    expect(maySendCommand(alice, 'alice', 'USER_ERASURE_CANCELLED')).toBe(true);
    expect(maySendCommand(alice, 'bob', 'USER_ERASURE_REQUESTED')).toBe(false);
  });
});
