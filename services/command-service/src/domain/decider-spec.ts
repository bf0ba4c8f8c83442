import type { UserEvent } from '@users/shared';
import { decide, type UserCommand } from './decide';
import { fold } from './user';

type ErrorClass = new (...args: never[]) => Error;

/** given(past events).when(command).then(new events) — the decider tested as a pure function. */
export const given = (history: UserEvent[]) => ({
  when: (command: UserCommand) => {
    const run = () => decide(command, fold(history));
    return {
      then: (expected: UserEvent[]) => expect(run()).toEqual(expected),
      thenFails: (errorClass: ErrorClass, status: number) => {
        expect(run).toThrow(errorClass);
        expect(run).toThrow(expect.objectContaining({ statusCode: status }));
      },
    };
  },
});
