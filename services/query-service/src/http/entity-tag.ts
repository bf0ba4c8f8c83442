/**
 * A detail's entity tag: the version it shows. Weak, since one version reads with one more field
 * in a later projection version (BalanceUpdatedAt, docs/projections.md): the same state, not
 * byte for byte the same answer.
 */
export const detailEntityTag = (version: number) => `W/"${version}"`;
