import { randomUUID } from 'node:crypto';

/** One command sent during a reliability run, and what (if anything) came back. */
export type SentCommand = {
  key: string;
  body: { user_id: string; event_type: string; payload: Record<string, unknown> };
  status?: number;
  response?: { message?: string; sequence?: number; event_id?: string };
};

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)] as T;

/** A plausible mix: mostly balance changes, some renames, creations first, a few deletions. */
export const randomCommand = (userIds: readonly string[]): SentCommand['body'] => {
  const user_id = pick(userIds);
  const roll = Math.random();
  if (roll < 0.15) {
    return {
      user_id,
      event_type: 'USER_CREATED',
      payload: { name: 'Chaos', email: `${user_id}@example.com` },
    };
  }
  if (roll < 0.25)
    return { user_id, event_type: 'USER_UPDATED', payload: { name: pick(['Ann', 'Bo', 'Cy']) } };
  if (roll < 0.27) return { user_id, event_type: 'USER_DELETED', payload: {} };
  return {
    user_id,
    event_type: 'USER_BALANCE',
    payload: { delta: Math.floor(Math.random() * 70) - 20 || 1 },
  };
};

/**
 * Sends a command with an Idempotency-Key that is also its correlation id, so the event it
 * stored (if any) can be found again. A network error or a 5xx leaves it unanswered.
 */
export const sendCommand = async (
  baseUrl: string,
  body: SentCommand['body'],
  key: string = randomUUID(),
) => {
  const sent: SentCommand = { key, body };
  try {
    const response = await fetch(`${baseUrl}/command`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        'x-correlation-id': key,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await response.json()) as SentCommand['response'];
    if (response.status < 500) Object.assign(sent, { status: response.status, response: answer });
  } catch {
    // No answer: the command may or may not have been stored.
  }
  return sent;
};

/** `clients` loops sending random commands until `stop()` resolves. */
export const runClients = (baseUrl: () => string, userIds: readonly string[], clients: number) => {
  const sent: SentCommand[] = [];
  let running = true;
  const done = Promise.all(
    Array.from({ length: clients }, async () => {
      while (running) {
        const command = await sendCommand(baseUrl(), randomCommand(userIds));
        sent.push(command);
        if (command.status === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
  return {
    sent,
    stop: async () => {
      running = false;
      await done;
      return sent;
    },
  };
};
