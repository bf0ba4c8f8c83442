import { describeErrors, logger, type Validator } from '@users/shared';
import { carryOutErasure } from '../../application/carry-out-erasure';
import type { CommandDependencies } from '../../application/execute-command';
import { validateEraserInput as generated } from './input.validator.generated';
import type { EraserInput } from './input-schema';

const validateEraserInput = generated as Validator<EraserInput>;

/** Time kept back from the function's timeout for the answer. */
const SAFETY_MS = 1000;

export type EraserOptions = {
  /**
   * Decide at the schedule's time when it is later than the function's clock: only for the local
   * scheduler, whose clock can be made to pass. Never in a stage: whoever may invoke the function
   * would then choose the time, and EventBridge Scheduler's time is the schedule's, not the
   * firing's (60 s precision).
   */
  trustScheduledTime?: boolean;
};

/**
 * Carries out an erasure whose grace period is over (carryOutErasure): exactly once however
 * often, and however late, the scheduler fires. A firing whose request was cancelled (or cancelled
 * and asked again: another due time) stores nothing; a duplicate finds the user erased and stores
 * nothing either; one before the due time is refused (ErasureNotDone), and Lambda tries it again
 * (twice, then the failure queue).
 */
export const createEraser =
  (deps: CommandDependencies, { trustScheduledTime = false }: EraserOptions = {}) =>
  async (input: unknown, context?: { getRemainingTimeInMillis(): number }) => {
    if (!validateEraserInput(input)) {
      // Not from our schedules: nothing to erase, and retrying would not make it readable.
      logger.error('erasure input refused', { errors: describeErrors(validateEraserInput.errors) });
      return { outcome: 'invalid input' };
    }
    const { user_id, erase_after, scheduled_time, execution_id } = input;
    const own = deps.now().getTime();
    const now = new Date(trustScheduledTime ? Math.max(own, Date.parse(scheduled_time)) : own);
    const done = await carryOutErasure(
      { ...deps, now: () => now },
      { userId: user_id, eraseAfter: erase_after },
      {
        correlationId: execution_id,
        deadline: Date.now() + (context?.getRemainingTimeInMillis() ?? 10_000) - SAFETY_MS,
      },
    );
    const position = { userId: user_id, eraseAfter: erase_after, executionId: execution_id };
    if (done.outcome === 'erased') {
      logger.info('erasure carried out', { ...position, version: done.version });
    } else if (done.outcome === 'already erased') {
      logger.info('erasure already carried out (a repeated firing, or the sweep)', position);
    } else {
      logger.info('erasure called off before it was due: nothing to do', position);
    }
    return { outcome: done.outcome };
  };
