import type { IntegrationEvent } from '@users/shared/integration';

/** What the bus said of one entry: published, or refused with its error code. */
export type EntryResult = { published: true } | { published: false; code: string };

/** The stage's event bus: one PutEvents call, at most MAX_ENTRIES entries. */
export interface EventBus {
  put(events: IntegrationEvent[]): Promise<EntryResult[]>;
}

/** PutEvents takes at most 10 entries a call. */
export const MAX_ENTRIES = 10;
const CALLS_IN_FLIGHT = 4;

/** Error codes EventBridge may clear on a later try; the others never will (a bad entry). */
const RETRYABLE = new Set(['InternalFailure', 'ThrottlingException']);

export type PublishOptions = {
  /** Epoch ms after which no new try starts: what is left is reported, and delivered again. */
  deadline: number;
  /** Pause before the n-th try of what failed. */
  pause?: (attempt: number) => Promise<void>;
  maxAttempts?: number;
};

const backoff = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));

/**
 * Publishes every event, 10 to a call, a few calls at a time. Entries the bus reports failed
 * (PutEvents answers 200 with `FailedEntryCount`) are tried again, never dropped; a call that
 * fails whole is tried again too. Returns the events still not published when the tries or the
 * time ran out, for the stream to deliver again.
 */
export const publishAll = async (
  bus: EventBus,
  events: IntegrationEvent[],
  { deadline, pause = backoff, maxAttempts = 5 }: PublishOptions,
): Promise<Set<IntegrationEvent>> => {
  let pending = events;
  const unpublished = new Set<IntegrationEvent>();
  for (let attempt = 1; pending.length > 0 && attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await pause(attempt - 1);
    if (Date.now() >= deadline) break;
    const chunks: IntegrationEvent[][] = [];
    for (let i = 0; i < pending.length; i += MAX_ENTRIES) {
      chunks.push(pending.slice(i, i + MAX_ENTRIES));
    }
    const failed: IntegrationEvent[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CALLS_IN_FLIGHT, chunks.length) }, async () => {
        while (next < chunks.length) {
          const chunk = chunks[next++] as IntegrationEvent[];
          const results = await bus.put(chunk).catch(() => undefined);
          chunk.forEach((event, i) => {
            const result = results?.[i];
            if (result?.published) return;
            if (result && !RETRYABLE.has(result.code)) unpublished.add(event);
            else failed.push(event);
          });
        }
      }),
    );
    pending = failed;
  }
  for (const event of pending) unpublished.add(event);
  return unpublished;
};
