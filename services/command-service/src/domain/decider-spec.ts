import type { UserEvent } from '@users/shared';
import type { UserCommand } from './commands';
import { type DecisionContext, decide } from './decide';
import { CommandRefused, type RuleViolation } from './errors';
import { fold } from './user';

/** The clock and grace period every example decides at, unless it says otherwise. */
export const EXAMPLE_CONTEXT: DecisionContext = {
  now: new Date('2026-12-01T12:00:00.000Z'),
  erasureGraceSeconds: 30 * 24 * 60 * 60,
};

/** given(past events).when(command).then(new events) — the decider tested as a pure function. */
export const given = (history: UserEvent[], context: Partial<DecisionContext> = {}) => ({
  when: (command: UserCommand) => {
    const run = () => decide(command, fold(history), { ...EXAMPLE_CONTEXT, ...context });
    return {
      then: (expected: UserEvent[]) => expect(run()).toEqual(expected),
      thenRefuses: (code: RuleViolation) => {
        expect(run).toThrow(CommandRefused);
        expect(run).toThrow(expect.objectContaining({ code }));
      },
    };
  },
});
