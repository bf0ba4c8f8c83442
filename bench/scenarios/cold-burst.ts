import { randomUUID } from 'node:crypto';
import { round } from '../stats';

/**
 * `commands` POST /command at once on a stack that has only just answered its first request:
 * two creations per user, so each pair gets one 200 and one 409. Every answer should be JSON,
 * 200 or 409, and come back well within the Lambda timeout.
 */
export const coldBurst = async (baseUrl: string, commands = 40) => {
  const users = Array.from({ length: commands / 2 }, () => `burst-${randomUUID()}`);
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: commands }, async (_, i) => {
      try {
        const response = await fetch(`${baseUrl}/command`, {
          method: 'POST',
          body: JSON.stringify({
            user_id: users[Math.floor(i / 2)],
            event_type: 'USER_CREATED',
            payload: { name: 'Burst', email: 'burst@example.com' },
          }),
          signal: AbortSignal.timeout(60_000),
        });
        const text = await response.text();
        let json = true;
        try {
          JSON.parse(text);
        } catch {
          json = false;
        }
        return { status: response.status, json, ms: performance.now() - started };
      } catch {
        return { status: 0, json: false, ms: performance.now() - started };
      }
    }),
  );
  const statuses: Record<string, number> = {};
  for (const { status } of answers) statuses[status] = (statuses[status] ?? 0) + 1;
  return {
    commands,
    statuses,
    allJson: answers.every((a) => a.json),
    expectedOnly: answers.every((a) => a.status === 200 || a.status === 409),
    lastAnswerMs: round(Math.max(...answers.map((a) => a.ms)), 0),
  };
};
