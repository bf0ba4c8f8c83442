import { count, countWith } from '@users/shared/observability';
import type { CommandObserver } from '../../application/execute-command';
import type { CommandOutcome } from '../../application/ports';

/**
 * What the command function counts (docs/operations.md): every decided command by event type and
 * outcome (stored, unchanged, refused), refusals by code, lost races and idempotent replays.
 * Event types and codes are closed lists: no dimension ever holds a user id or personal data.
 */
export const countOutcome = (eventType: string, outcome: CommandOutcome) => {
  countWith('Commands', { EventType: eventType, Outcome: outcome.kind });
  if (outcome.kind === 'refused') countWith('Refusals', { Code: outcome.refusal.code });
};

/** An erasure request stored on a schedule taken as made unconfirmed: the sweep covers a miss. */
export const countUnconfirmedSchedule = () => count('ErasureSchedulesUnconfirmed');

export const commandObserver: CommandObserver = {
  lostRace: () => count('LostRaces'),
  replayed: () => count('IdempotentReplays'),
};
