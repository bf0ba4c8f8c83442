import type { UserEvent } from '@users/shared';
import type { UserCommand } from './commands';
import { decide } from './decide';
import { CommandRefused, type RuleViolation } from './errors';
import { fold } from './user';

/** given(past events).when(command).then(new events) — the decider tested as a pure function. */
export const given = (history: UserEvent[]) => ({
  when: (command: UserCommand) => {
    const run = () => decide(command, fold(history));
    return {
      then: (expected: UserEvent[]) => expect(run()).toEqual(expected),
      thenRefuses: (code: RuleViolation) => {
        expect(run).toThrow(CommandRefused);
        expect(run).toThrow(expect.objectContaining({ code }));
      },
    };
  },
});
