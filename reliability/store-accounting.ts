/** What one request was told: its correlation id, and the event id if it was stored. */
export type Answer = { correlationId: string; storedEventId?: string };

/**
 * Compares what requests were told with what the store holds, per correlation id (several
 * requests may share one): a refusal that stored something, an acknowledged event missing or
 * stored twice. Correlation ids no request of this run used are not this run's business.
 */
export const storeDisagreements = (
  answers: Answer[],
  storedEventIds: ReadonlyMap<string, string[]>,
): string[] => {
  const told = new Map<string, string[]>();
  for (const { correlationId, storedEventId } of answers) {
    const ids = told.get(correlationId) ?? [];
    if (storedEventId) ids.push(storedEventId);
    told.set(correlationId, ids);
  }
  const disagreements: string[] = [];
  for (const [correlationId, acknowledged] of told) {
    const found = storedEventIds.get(correlationId) ?? [];
    if ([...found].sort().join() !== [...acknowledged].sort().join()) {
      disagreements.push(
        `${correlationId}: ${acknowledged.length} event(s) acknowledged, ${found.length} stored`,
      );
    }
  }
  return disagreements;
};
