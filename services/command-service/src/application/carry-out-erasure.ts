import type { ScheduledErasure } from './erasure-schedule';
import { type CommandDependencies, executeCommand } from './execute-command';

/** Thrown when an erasure was not carried out now (not due yet, a race lost ten times): try later. */
export class ErasureNotDone extends Error {
  override readonly name = 'ErasureNotDone';
}

export type ErasureOutcome =
  | { outcome: 'erased'; version: number }
  /** Carried out before: a repeated firing, or the sweep and a firing both on it. */
  | { outcome: 'already erased' }
  /** Cancelled, or cancelled and asked again (another due time): not this request's to do. */
  | { outcome: 'not pending' };

/**
 * Carries out a pending erasure whose grace period is over, as an ordinary command through the
 * same store, deciding at `deps.now()`: exactly once however often, however late and however many
 * at once ask for it (its schedule's firings, the sweep, an operator's redrive). It erases only the
 * request pending for `eraseAfter`, and only once that time has come; a refusal to try again later
 * (not due yet, contention) is thrown as ErasureNotDone.
 */
export const carryOutErasure = async (
  deps: CommandDependencies,
  { userId, eraseAfter }: ScheduledErasure,
  { correlationId, deadline }: { correlationId: string; deadline: number },
): Promise<ErasureOutcome> => {
  const answer = await executeCommand(deps, {
    userId,
    command: { type: 'CARRY_OUT_ERASURE', payload: { erase_after: eraseAfter } },
    // No Idempotency-Key: the caller scopes nothing, it only says who asked.
    caller: 'erasure-scheduler',
    correlationId,
    deadline,
  });
  if (answer.kind === 'stored') return { outcome: 'erased', version: answer.result.version };
  if (answer.kind === 'unchanged') return { outcome: 'already erased' };
  const { code } = answer.refusal;
  if (code === 'ERASURE_NOT_PENDING' || code === 'USER_NOT_FOUND')
    return { outcome: 'not pending' };
  throw new ErasureNotDone(`erasure not carried out: ${code}`);
};
