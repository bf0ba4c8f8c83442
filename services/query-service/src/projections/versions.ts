import type { UserDetail } from './user-detail';
import type { HistoryEntry } from './user-history';

/**
 * Every projection version this code can build and serve, oldest first. A version is what its
 * read models hold, in tables of its own (docs/projections.md): version 1 is the original shape;
 * version 2 adds `BalanceUpdatedAt` to /detail (when the balance last changed), which only a
 * replay of each user's events can fill in. Adding a version: a new entry here, what it holds in
 * `heldBy`, then `npm run projections -- build <v>` and `switch <v>`.
 */
export const PROJECTION_VERSIONS = [1, 2] as const;
export type ProjectionVersion = (typeof PROJECTION_VERSIONS)[number];

/** The version a stage serves until `npm run projections -- switch` says otherwise. */
export const FIRST_PROJECTION_VERSION: ProjectionVersion = 1;

export const isProjectionVersion = (value: unknown): value is ProjectionVersion =>
  (PROJECTION_VERSIONS as readonly unknown[]).includes(value);

/**
 * The detail as version `version` stores it: what a version does not hold, it never writes.
 *
 * `erasurePendingUntil` is held by every version, without a version of its own: unlike
 * `balanceUpdatedAt`, no detail stored before it existed lacks it wrongly. It comes only from
 * USER_ERASURE_REQUESTED, an event of schema 3, which no release before this one reads (a reader
 * of schema 2 stops at it, NewerSchemaVersion, and applies nothing after it): every stored detail
 * without it is a user with no erasure pending, and the events that set it are applied by this
 * code, in every version, as they come. No replay is needed to fill it in.
 */
export const heldBy = (version: ProjectionVersion, detail: UserDetail): UserDetail => {
  if (version >= 2) return detail;
  const { balanceUpdatedAt: _, ...heldByFirst } = detail;
  return heldByFirst;
};

/**
 * A version's table: version 1 keeps the names stages have always had; a later one adds `-v<n>`
 * (indexes keep their names: they live inside their table).
 */
export const versionedTableName = (table: string, version: ProjectionVersion) =>
  version === 1 ? table : `${table}-v${version}`;

/** A user's read models as version `version` stores them (the detail in each history entry too). */
export const heldReadModels = <T extends { detail: UserDetail; history: HistoryEntry[] }>(
  version: ProjectionVersion,
  models: T,
): T => ({
  ...models,
  detail: heldBy(version, models.detail),
  history: models.history.map((entry) => ({
    ...entry,
    detailAfter: heldBy(version, entry.detailAfter),
  })),
});
