import { daysBetween } from './date-range';

describe('the days of a /stats request', () => {
  it('spans from and to, inclusive, across months and leap days', () => {
    expect(daysBetween('2028-02-28', '2028-03-01')).toEqual([
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
    expect(daysBetween('2026-12-01', '2026-12-01')).toEqual(['2026-12-01']);
    expect(daysBetween('2026-01-01', '2027-01-01')).toHaveLength(366);
  });

  it.each([
    ['2026-02-30', '2026-03-01', '/queryStringParameters/from', 'is not a calendar date'],
    ['2026-03-01', '2026-13-01', '/queryStringParameters/to', 'is not a calendar date'],
    ['2026-03-02', '2026-03-01', '/queryStringParameters/to', 'must not be before from'],
    ['2026-01-01', '2027-01-02', '/queryStringParameters', 'a range spans at most 366 days'],
  ])('refuses %s to %s (400)', (from, to, path, message) => {
    expect(() => daysBetween(from, to)).toThrow(
      expect.objectContaining({
        statusCode: 400,
        code: 'INVALID_REQUEST',
        details: { errors: [`${path} ${message}`], fields: [{ path, message }] },
      }),
    );
  });
});
