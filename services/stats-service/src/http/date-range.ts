import { BadRequestError, type FieldError } from '@users/shared/http';
import { MAX_RANGE_DAYS } from './stats-schema';

const DAY_MS = 86_400_000;
const FROM = '/queryStringParameters/from';
const TO = '/queryStringParameters/to';

/** A real calendar day ("2026-02-30" is not), as epoch ms at midnight UTC. */
const dayAt = (text: string) => {
  const at = Date.parse(`${text}T00:00:00.000Z`);
  return Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== text ? undefined : at;
};

/**
 * Every day from `from` to `to`, inclusive; 400 for a date that does not exist, a reversed
 * range or one longer than MAX_RANGE_DAYS.
 */
export const daysBetween = (from: string, to: string): string[] => {
  const start = dayAt(from);
  const end = dayAt(to);
  const fields: FieldError[] = [
    ...(start === undefined ? [{ path: FROM, message: 'is not a calendar date' }] : []),
    ...(end === undefined ? [{ path: TO, message: 'is not a calendar date' }] : []),
  ];
  if (start !== undefined && end !== undefined) {
    if (end < start) fields.push({ path: TO, message: 'must not be before from' });
    else if ((end - start) / DAY_MS + 1 > MAX_RANGE_DAYS) {
      fields.push({
        path: '/queryStringParameters',
        message: `a range spans at most ${MAX_RANGE_DAYS} days`,
      });
    }
  }
  if (fields.length > 0) throw new BadRequestError('Invalid request', fields);
  const days: string[] = [];
  for (let at = start as number; at <= (end as number); at += DAY_MS) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
};
