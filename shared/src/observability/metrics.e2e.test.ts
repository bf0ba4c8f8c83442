import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { eventually, get, postCommand, uniqueUserId } from '../../../test/support/http';

/** The e2e stack's log (test/e2e/global-setup.ts): every function's stdout, as in CloudWatch. */
const stackLog = () => process.env.E2E_STACK_LOG as string;

type Emf = Record<string, unknown> & {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
};
/** The log's lines from a byte offset on (the log holds multi-byte characters: slice bytes). */
const emfLines = (from = 0) =>
  readFileSync(stackLog())
    .subarray(from)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.startsWith('{"_aws":'));
const documents = (from = 0) => emfLines(from).map((line) => JSON.parse(line) as Emf);
/** Each metric seen, with the values of its dimensions: `Commands{EventType=..,Outcome=..}`. */
const metricsIn = (docs: Emf[]) =>
  new Set(
    docs.flatMap((doc) =>
      doc._aws.CloudWatchMetrics.flatMap(({ Dimensions, Metrics }) =>
        Metrics.map(({ Name }) => {
          const dims = (Dimensions[0] ?? [])
            .filter((name) => name !== 'service' && name !== 'function_name')
            .map((name) => `${name}=${doc[name]}`);
          return dims.length > 0 ? `${Name}{${dims.join(',')}}` : Name;
        }),
      ),
    ),
  );

describe("the functions' metrics (Powertools, embedded metric format), read from their log", () => {
  it('count commands by outcome and code, replays, data keys, projection, publication and delivery, without personal data', async () => {
    const from = statSync(stackLog()).size;
    const userId = uniqueUserId('metrics');
    const email = `metrics-${randomUUID()}@example.com`;
    await postCommand({
      user_id: userId,
      event_type: 'USER_CREATED',
      payload: { name: 'Metrics Canary', email },
    });
    const key = { 'idempotency-key': randomUUID() };
    const balance = { user_id: userId, event_type: 'USER_BALANCE', payload: { delta: 3 } };
    await postCommand(balance, key);
    await postCommand(balance, key);
    await postCommand({ user_id: userId, event_type: 'USER_UPDATED', payload: { email } });
    await postCommand({ user_id: uniqueUserId('nobody'), event_type: 'USER_DELETED', payload: {} });
    await eventually(async () =>
      expect((await get(`/detail?user_id=${userId}`)).body.Balance).toBe(3),
    );

    const expected = [
      'Commands{EventType=USER_CREATED,Outcome=stored}',
      'Commands{EventType=USER_BALANCE,Outcome=stored}',
      'Commands{EventType=USER_UPDATED,Outcome=unchanged}',
      'Commands{EventType=USER_DELETED,Outcome=refused}',
      'Refusals{Code=USER_NOT_FOUND}',
      'IdempotentReplays',
      'DataKeyRequests{Operation=GenerateDataKey}',
      'DataKeyRequests{Operation=GetItem}',
      'EventsApplied',
      'ProjectionLag',
      'EventsPublished',
      'PublishLag',
      'EventsCounted',
      'DeliveryLag',
    ];
    // Other files share this stack: the subscriber's figures may come after a backlog of theirs.
    const seen = await eventually(async () => {
      const found = metricsIn(documents(from));
      expect(expected.filter((metric) => !found.has(metric))).toEqual([]);
      return found;
    }, 90_000);
    expect(seen.size).toBeGreaterThanOrEqual(expected.length);
    // Every function counts its cold start once, by its name.
    expect([...metricsIn(documents())]).toEqual(expect.arrayContaining(['ColdStart']));
    expect(
      documents()
        .filter((doc) => 'ColdStart' in doc)
        .map((doc) => doc.function_name),
    ).toEqual(expect.arrayContaining(['users-local-local-command', 'users-local-local-projector']));
    // Under the stage's namespace, and never a user id, a name or an email.
    for (const doc of documents(from)) {
      expect(doc._aws.CloudWatchMetrics[0]?.Namespace).toBe('users-local');
    }
    const text = emfLines(from).join('\n');
    for (const personal of [userId, email, 'Metrics Canary']) expect(text).not.toContain(personal);

    // The console's panel reads the same lines, summed (scripts/local-stack/local-metrics.ts).
    const view = await eventually(async () => {
      const { body } = await get('/local/metrics');
      expect(body.refusalsByCode.USER_NOT_FOUND).toBeGreaterThanOrEqual(1);
      return body;
    });
    expect(view.totals.Commands).toBeGreaterThanOrEqual(5);
    expect(view.buckets.some((bucket: { lagP99?: number }) => bucket.lagP99 !== undefined)).toBe(
      true,
    );
  }, 150_000);
});
