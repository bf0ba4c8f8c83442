import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { benchDataKeys, userHistoryItems, writeItems } from '../bench/fixtures';
import { stageConfig } from '../scripts/local-stack/tables';

export type ErasureDrillOptions = {
  baseUrl: string;
  /** The stack's DynamoDB Local and local KMS. */
  endpoint: string;
  kmsEndpoint: string;
  /** The stack's projector reads its faults here (PROJECTOR_FAULT_FILE). */
  faultFile: string;
  /** The user's history before the erasure. */
  events: number;
  /** History writes the projector gets per second once the erasure is sent (a hot partition). */
  historyWritesPerSecond: number;
  /** Runs the history eraser at once (the test), rather than waiting for its schedule (the drill). */
  runEraser?: () => Promise<void>;
  timeoutMs?: number;
};

const NAME = 'Drill Canary';
const EMAIL = 'drill.canary@example.com';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const untilTrue = async (check: () => Promise<boolean>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await pause(50);
  }
  return Date.now();
};

/**
 * A user with a long history is erased while the history table takes writes slowly, as one hot
 * partition does in AWS: how long until no query shows the user's personal data, and until the
 * history table holds none of it readable (the detail is a tombstone at once, the events are
 * sealed under the shredded key).
 */
export const runErasureDrill = async (options: ErasureDrillOptions) => {
  const { baseUrl, events, timeoutMs = 600_000 } = options;
  const stage = stageConfig('local', {
    endpoint: options.endpoint,
    kmsEndpoint: options.kmsEndpoint,
  });
  const keys = benchDataKeys(options.endpoint, options.kmsEndpoint, stage.dataKeysTable);
  const userId = `drill-${randomUUID()}`;
  const items = userHistoryItems(userId, events, await keys.readOrCreate(userId), {
    name: NAME,
    email: EMAIL,
  });
  rmSync(options.faultFile, { force: true });
  const seeded = Date.now();
  await writeItems(stage.client, stage.eventsTable, items);
  const get = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`);
    return { status: response.status, text: await response.text() };
  };
  const command = async (body: Record<string, unknown>) => {
    const response = await fetch(`${baseUrl}/command`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`${body.event_type} answered ${response.status}`);
  };
  await untilTrue(
    async () => (await get(`/detail?user_id=${userId}`)).text.includes(`"Version":${events}`),
    timeoutMs,
    'the history projected',
  );
  const projectedSeconds = (Date.now() - seeded) / 1000;

  // A second user, on the same stream: created now, it shows once the projector is done with the
  // seeded history (so the erasure does not queue behind it); changed beside the erasure, it
  // measures the projection lag of that moment, which an erasure waits for like any event.
  const probeId = `drill-probe-${randomUUID()}`;
  await command({
    user_id: probeId,
    event_type: 'USER_CREATED',
    payload: { name: 'Probe', email: 'probe@example.com' },
  });
  await untilTrue(
    async () => (await get(`/detail?user_id=${probeId}`)).status === 200,
    timeoutMs,
    'the projector idle',
  );

  writeFileSync(
    options.faultFile,
    JSON.stringify({ historyWritesPerSecond: options.historyWritesPerSecond }),
  );
  try {
    await Promise.all([
      command({ user_id: userId, event_type: 'USER_ERASED', payload: {} }),
      command({ user_id: probeId, event_type: 'USER_BALANCE', payload: { delta: 1 } }),
    ]);
    const acknowledged = Date.now();
    const [servedNothing, probeProjected] = await Promise.all([
      untilTrue(
        async () => {
          const answers = await Promise.all([
            get(`/detail?user_id=${userId}`),
            get(`/detail?user_id=${userId}&version=1`),
            get(`/history?user_id=${userId}&limit=5`),
          ]);
          return (
            answers[0].status === 404 &&
            answers[1].status === 404 &&
            answers.every((answer) => !answer.text.includes('Canary'))
          );
        },
        timeoutMs,
        'no query shows personal data',
      ),
      untilTrue(
        async () => (await get(`/detail?user_id=${probeId}`)).text.includes('"Version":2'),
        timeoutMs,
        'the probe projected',
      ),
    ]);
    // The tombstone says whether the rewrite is done (cheap to ask every second); the whole
    // history is read once at the end to check it.
    const rewriting = async () => {
      const { Item } = await stage.client.send(
        new GetCommand({
          TableName: stage.readModelTables.detail,
          Key: { UserID: userId },
          ConsistentRead: true,
        }),
      );
      return Item?.HistoryErasure !== undefined;
    };
    const readable = async () => {
      for await (const page of paginateQuery(
        { client: stage.client },
        {
          TableName: stage.readModelTables.history,
          KeyConditionExpression: 'UserID = :id',
          ExpressionAttributeValues: { ':id': userId },
        },
      )) {
        if (JSON.stringify(page.Items).includes(NAME)) return true;
      }
      return false;
    };
    const clean = await untilTrue(
      async () => {
        if (!(await rewriting())) return true;
        await options.runEraser?.();
        await pause(1000);
        return false;
      },
      timeoutMs,
      'the history rewritten',
    );
    if (await readable()) throw new Error('the rewrite is done, yet the history shows the name');
    return {
      events,
      historyWritesPerSecond: options.historyWritesPerSecond,
      projectedSeconds,
      secondsUntilNothingServed: (servedNothing - acknowledged) / 1000,
      /** The same moment's projection lag: the probe's change, acknowledged with the erasure. */
      projectionLagSeconds: (probeProjected - acknowledged) / 1000,
      secondsUntilHistoryRewritten: (clean - acknowledged) / 1000,
    };
  } finally {
    rmSync(options.faultFile, { force: true });
  }
};
