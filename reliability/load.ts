import { randomUUID } from 'node:crypto';

/** One command sent during a reliability run, and what (if anything) came back. */
export type SentCommand = {
  /** Unique per command (its retries reuse it), so the event it stored can be found again. */
  correlationId: string;
  /** Its Idempotency-Key, when it was sent with one (the same value as the correlation id). */
  key?: string;
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
 * Sends a command under a fresh correlation id, with an Idempotency-Key of the same value unless
 * `keyed` is false. A network error or a 5xx leaves it unanswered.
 */
export const sendCommand = async (
  baseUrl: string,
  body: SentCommand['body'],
  { correlationId = randomUUID(), keyed = true }: { correlationId?: string; keyed?: boolean } = {},
) => {
  const sent: SentCommand = { correlationId, body, ...(keyed && { key: correlationId }) };
  try {
    const response = await fetch(`${baseUrl}/command`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-correlation-id': correlationId,
        ...(keyed && { 'idempotency-key': correlationId }),
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

/** Sends an unanswered command again, with its key: what a client does after a timeout. */
export const retryCommand = (baseUrl: string, command: SentCommand) =>
  sendCommand(baseUrl, command.body, { correlationId: command.correlationId, keyed: true });

/**
 * `clients` loops sending random commands until `stop()` resolves; `keyedShare` of them carry
 * an Idempotency-Key.
 */
export const runClients = (
  baseUrl: () => string,
  userIds: readonly string[],
  clients: number,
  keyedShare = 1,
) => {
  const sent: SentCommand[] = [];
  let running = true;
  const done = Promise.all(
    Array.from({ length: clients }, async () => {
      while (running) {
        const command = await sendCommand(baseUrl(), randomCommand(userIds), {
          keyed: Math.random() < keyedShare,
        });
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
