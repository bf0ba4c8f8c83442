import { createHash } from 'node:crypto';
import { eventually, get, postCommand, uniqueUserId } from '../../../../../test/support/http';

/** The local stack's scheduler controls (scripts/local-stack/local-scheduler.ts). */
const scheduler = async (path: string, body?: unknown) => {
  const response = await fetch(
    `http://localhost:${process.env.E2E_LOCAL_AWS_PORT}/local/scheduler/${path}`,
    body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
  );
  if (!response.ok) throw new Error(`scheduler ${path}: ${response.status}`);
  return response.json();
};

const command = (userId: string, event_type: string, payload: object = {}) =>
  postCommand({ user_id: userId, event_type, payload });

/** The scheduled erasure, invoked as a schedule would (serverless-offline's invoke endpoint). */
const invokeScheduledErasure = async (input: object) => {
  const port = process.env.E2E_LAMBDA_PORT ?? '3102';
  const response = await fetch(
    `http://localhost:${port}/2015-03-31/functions/users-local-local-scheduledErasure/invocations`,
    { method: 'POST', body: JSON.stringify(input) },
  );
  return response.json();
};

const DAY_MS = 24 * 60 * 60 * 1000;
const GROUP = 'users-local-erasures';
const nameOf = (userId: string, eraseAfter: string) =>
  `erase-${createHash('sha256').update(userId).digest('hex').slice(0, 32)}-${Date.parse(eraseAfter)}`;

const historyTypes = async (userId: string) =>
  ((await get(`/history?user_id=${userId}&limit=100`)).body.events as { event_type: string }[]).map(
    (entry) => entry.event_type,
  );

describe('an erasure with a grace period, over HTTP, carried out by the local scheduler', () => {
  afterAll(() => scheduler('faults', {}));

  it('is requested, cancelled, requested again and carried out once, through a duplicate and a late firing', async () => {
    const userId = uniqueUserId('grace');
    expect(
      (await command(userId, 'USER_CREATED', { name: 'Grace Canary', email: 'grace@example.com' }))
        .status,
    ).toBe(200);
    await command(userId, 'USER_BALANCE', { delta: 7 });

    const first = await command(userId, 'USER_ERASURE_REQUESTED');
    expect(first.status).toBe(200);
    const firstDue = await eventually(async () => {
      const { body } = await get(`/detail?user_id=${userId}`);
      expect(body.erasure_pending_until).toEqual(expect.any(String));
      return body.erasure_pending_until as string;
    });
    expect(Date.parse(firstDue) - Date.parse(first.body.occurred_at)).toBe(30 * DAY_MS);

    // Pending: every command but the cancellation is refused with its own code, stores nothing.
    for (const [type, payload] of [
      ['USER_BALANCE', { delta: 1 }],
      ['USER_UPDATED', { name: 'Other' }],
      ['USER_DELETED', {}],
      ['USER_ERASURE_REQUESTED', {}],
    ] as const) {
      const refused = await command(userId, type, payload);
      expect([refused.status, refused.body.code]).toEqual([409, 'ERASURE_PENDING']);
    }

    expect((await command(userId, 'USER_ERASURE_CANCELLED')).status).toBe(200);
    await eventually(async () => {
      const { body } = await get(`/detail?user_id=${userId}`);
      expect(body.Version).toBe(4);
      expect(body.erasure_pending_until).toBeUndefined();
    });
    const cancelledAgain = await command(userId, 'USER_ERASURE_CANCELLED');
    expect([cancelledAgain.status, cancelledAgain.body.code]).toEqual([409, 'ERASURE_NOT_PENDING']);
    expect((await command(userId, 'USER_BALANCE', { delta: -7 })).status).toBe(200);

    const second = await command(userId, 'USER_ERASURE_REQUESTED');
    expect(second.status).toBe(200);
    const secondDue = new Date(Date.parse(second.body.occurred_at) + 30 * DAY_MS).toISOString();
    // The command made the second request's schedule; the cancellation deleted the first's.
    await eventually(async () => {
      const names = ((await scheduler('schedules')) as { group: string; name: string }[])
        .filter((schedule) => schedule.group === GROUP)
        .map((schedule) => schedule.name);
      expect(names).toContain(nameOf(userId, secondDue));
      expect(names).not.toContain(nameOf(userId, firstDue));
    });

    // A firing of the cancelled request all the same (a deletion that failed): nothing happens.
    expect(
      await invokeScheduledErasure({
        user_id: userId,
        erase_after: firstDue,
        scheduled_time: new Date(Date.parse(firstDue) + 1000).toISOString(),
        execution_id: 'stale-firing',
      }),
    ).toEqual({ outcome: 'not pending' });
    await eventually(async () => {
      const { body } = await get(`/detail?user_id=${userId}`);
      expect([body.Version, body.erasure_pending_until]).toEqual([6, secondDue]);
    });

    // Time passes: the schedule fires, delivered twice at once, and once more later.
    await scheduler('faults', { duplicate: true });
    await scheduler('advance', { ms: 31 * DAY_MS });
    await eventually(async () => {
      expect((await get(`/detail?user_id=${userId}`)).status).toBe(404);
    });
    await scheduler('refire', { group: GROUP, name: nameOf(userId, secondDue) });

    // Every firing was answered before refire returned: one erasure, one event, nothing after.
    await eventually(async () =>
      expect(await historyTypes(userId)).toEqual([
        'USER_CREATED',
        'USER_BALANCE',
        'USER_ERASURE_REQUESTED',
        'USER_ERASURE_CANCELLED',
        'USER_BALANCE',
        'USER_ERASURE_REQUESTED',
        'USER_ERASED',
      ]),
    );
    const counters = (await scheduler('counters')) as { duplicated: number };
    expect(counters.duplicated).toBeGreaterThan(0);
    const erasedAgain = await command(userId, 'USER_ERASURE_REQUESTED');
    expect([erasedAgain.status, erasedAgain.body.code]).toEqual([410, 'USER_ERASED']);
  }, 60_000);
});
