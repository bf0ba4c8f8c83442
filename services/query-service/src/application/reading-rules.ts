import { eraseHistoryEntry, type HistoryEntry, type UserDetail } from '../projections';

/**
 * The one rule of both read routes, decided on the user's current detail (the projector's
 * checkpoint):
 * - nothing is shown past the checkpoint: history entries are written before the checkpoint
 *   moves, so an entry above it belongs to events not applied yet;
 * - `/detail`, now or at a past version, shows only a user who exists and is neither deleted nor
 *   erased now (a deleted user's past is not a way round the 404);
 * - `/history` shows any user the read models know, deleted or erased, but an erased user's
 *   entries never with personal data, whether or not their rewrite has reached them yet.
 */
export const readableDetail = (
  current: UserDetail | null,
  asOf?: { version: number; entry: HistoryEntry | null },
): UserDetail | null => {
  if (!current || current.deleted || current.erased) return null;
  if (!asOf) return current;
  if (asOf.version > current.version || !asOf.entry) return null;
  return asOf.entry.detailAfter;
};

/** The entries of a history page a reader may see, or null for a user the read models lack. */
export const readableHistory = (
  current: UserDetail | null,
  entries: HistoryEntry[],
): HistoryEntry[] | null => {
  if (!current) return null;
  const applied = entries.filter((entry) => entry.version <= current.version);
  return current.erased ? applied.map(eraseHistoryEntry) : applied;
};
