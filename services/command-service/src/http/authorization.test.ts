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
