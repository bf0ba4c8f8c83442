import type { StoreReport } from './verify';

/** What every reliability drill must leave behind, whatever it broke on the way. */
export const expectConsistent = (
  report: StoreReport & { readModelMismatches: number; statsMismatches?: string[] },
) =>
  expect(report).toMatchObject({
    gaps: 0,
    duplicateEvents: 0,
    refusedButStored: 0,
    halfStates: 0,
    readModelMismatches: 0,
    ...(report.statsMismatches && { statsMismatches: [] }),
  });
