import { describeErrors, logger, type Validator } from '@users/shared';
import { type CommandDependencies, executeCommand } from '../../application/execute-command';
import { validateEraserInput as generated } from './input.validator.generated';
import type { EraserInput } from './input-schema';

const validateEraserInput = generated as Validator<EraserInput>;

/** Thrown so that the scheduler delivers the erasure again later (its retry policy). */
export class ErasureNotDone extends Error {
  override readonly name = 'ErasureNotDone';
}

/** Time kept back from the function's timeout for the answer. */
const SAFETY_MS = 1000;

/**
 * Carries out an erasure whose grace period is over, as an ordinary command through the same
 * store: exactly once however often, and however late, the scheduler fires. A firing whose
 * request was cancelled (or cancelled and asked again: another due time) stores nothing; a
 * duplicate finds the user erased and stores nothing either. It decides at the scheduler's time
 * when that is later than its own clock (a local scheduler made to pass time); in a stage the
 * scheduler never fires early, so that is the function's own clock.
 */
export const createEraser =
  (deps: CommandDependencies) =>
  async (input: unknown, context?: { getRemainingTimeInMillis(): number }) => {
    if (!validateEraserInput(input)) {
      // Not from our schedules: nothing to erase, and retrying would not make it readable.
      logger.error('erasure input refused', { errors: describeErrors(validateEraserInput.errors) });
      return { outcome: 'invalid input' };
    }
    const { user_id, erase_after, scheduled_time, execution_id } = input;
    const now = new Date(Math.max(deps.now().getTime(), Date.parse(scheduled_time)));
    const answer = await executeCommand(
      { ...deps, now: () => now },
      {
        userId: user_id,
        command: { type: 'CARRY_OUT_ERASURE', payload: { erase_after } },
        caller: 'erasure-scheduler',
        correlationId: execution_id,
        deadline: Date.now() + (context?.getRemainingTimeInMillis() ?? 10_000) - SAFETY_MS,
      },
    );
    const position = { userId: user_id, eraseAfter: erase_after, executionId: execution_id };
    if (answer.kind === 'stored') {
      logger.info('erasure carried out', { ...position, version: answer.result.version });
      return { outcome: 'erased' };
    }
    if (answer.kind === 'unchanged') {
      logger.info('erasure already carried out (a repeated firing)', position);
      return { outcome: 'already erased' };
    }
    const { code } = answer.refusal;
    if (code === 'ERASURE_NOT_PENDING' || code === 'USER_NOT_FOUND') {
      logger.info('erasure called off before it was due: nothing to do', position);
      return { outcome: 'not pending' };
    }
    // Not due yet, or a race lost ten times: the scheduler tries again.
    throw new ErasureNotDone(`erasure not carried out: ${code}`);
  };
