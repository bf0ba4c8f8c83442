import { isoSeconds, SchedulerError } from './local-scheduler-schedule';

/** An answer for local-aws.ts to send: errors carry x-amzn-errortype, as REST-JSON has them. */
export type SchedulerAnswer = { status: number; headers?: Record<string, string>; body: string };

/** What the scheduler does, for its HTTP face (local-scheduler.ts). */
type Operations = {
  createSchedule: (name: string, body: Record<string, unknown>) => unknown;
  getSchedule: (group: string, name: string) => unknown;
  deleteSchedule: (group: string, name: string) => unknown;
  advance: (ms: number) => Promise<number>;
  schedules: () => unknown;
  counters: () => unknown;
  deadLetters: () => unknown;
  setFaults: (faults: { duplicate?: boolean; lateMs?: number }) => unknown;
  refire: (group: string, name: string) => Promise<void>;
};

const LOCAL = '/local/scheduler/';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body ?? {}),
});

const bodyOf = (body: string): Record<string, unknown> => {
  try {
    return JSON.parse(body || '{}');
  } catch {
    throw new SchedulerError('ValidationException', 'The body is not JSON');
  }
};

/** The local stack's own controls, under /local/scheduler/; undefined for no such control. */
const control = async (scheduler: Operations, route: string, input: Record<string, unknown>) => {
  if (route === 'POST advance')
    return { now: isoSeconds(await scheduler.advance(Number(input.ms))) };
  if (route === 'GET schedules') return scheduler.schedules();
  if (route === 'GET counters') return scheduler.counters();
  if (route === 'GET dead-letters') return scheduler.deadLetters();
  if (route === 'POST faults') return scheduler.setFaults(input);
  if (route === 'POST refire') {
    await scheduler.refire(String(input.group), String(input.name));
    return { delivered: true };
  }
  return undefined;
};

/**
 * EventBridge Scheduler's REST-JSON API as @aws-sdk/client-scheduler sends it (CreateSchedule
 * POST, GetSchedule GET, DeleteSchedule DELETE on /schedules/{Name}?groupName=G), and the local
 * controls: the answer to a request on the scheduler's paths, or undefined for another's.
 */
export const schedulerAnswer =
  (scheduler: Operations) =>
  async (method: string, url: string, body: string): Promise<SchedulerAnswer | undefined> => {
    const { pathname, searchParams } = new URL(url, 'http://localhost');
    const api = pathname === '/schedules' || /^\/schedule(s|-groups)\//.test(pathname);
    if (!api && !pathname.startsWith(LOCAL)) return undefined;
    try {
      if (!api) {
        const route = `${method} ${pathname.slice(LOCAL.length)}`;
        const result = await control(scheduler, route, bodyOf(body));
        return result === undefined ? undefined : json(200, result);
      }
      const name = decodeURIComponent(/^\/schedules\/([^/]+)$/.exec(pathname)?.[1] ?? '');
      const group = searchParams.get('groupName') ?? 'default';
      if (name && method === 'POST') return json(200, scheduler.createSchedule(name, bodyOf(body)));
      if (name && method === 'GET') return json(200, scheduler.getSchedule(group, name));
      if (name && method === 'DELETE') return json(200, scheduler.deleteSchedule(group, name));
      const operation = `${method} ${pathname}`;
      throw new SchedulerError('ValidationException', `${operation} is not played locally`);
    } catch (error) {
      if (!(error instanceof SchedulerError)) throw error;
      return json(error.status, { Message: error.message }, { 'x-amzn-errortype': error.type });
    }
  };
