// A consumer program, as another team would write it: only @users/client and @users/events, and
// not one type written by hand. Against `npm start` (and its local bus on :3004):
//   npx node -r esbuild-register clients/consumer/src/consumer.ts http://localhost:3000 http://localhost:3004
// (with `npm start -- --auth`, TOKEN=$(npm run -s token -- --admin) first).
import { createUsersClient, orThrow } from '@users/client';
import { type DeliveredEvent, readDeliveredEvent } from '@users/events';

/** What the local stack's bus delivered to subscribers (scripts/local-stack: /local/bus/delivered). */
const deliveredOnLocalBus = async (localAwsUrl: string) => {
  const response = await fetch(`${localAwsUrl}/local/bus/delivered`);
  const deliveries = (await response.json()) as { event: unknown }[];
  return deliveries.map(({ event }) => event);
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first delivered event that `wanted` picks, read and checked against the contract. */
const deliveredEvent = async (
  localAwsUrl: string,
  wanted: (event: DeliveredEvent) => boolean,
  timeoutMs = 15_000,
) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await deliveredOnLocalBus(localAwsUrl)).find((event) =>
      wanted(event as DeliveredEvent),
    );
    if (found) return { delivered: found, event: readDeliveredEvent(found) };
    if (Date.now() > deadline) throw new Error('no such event delivered in time');
    await pause(100);
  }
};

export const runConsumer = async ({
  baseUrl,
  localAwsUrl,
  token,
}: {
  baseUrl: string;
  /** Where the local stack's AWS services answer: to see a delivered integration event. */
  localAwsUrl?: string;
  token?: string;
}) => {
  const users = createUsersClient({ baseUrl, token });
  const user_id = `consumer-${globalThis.crypto.randomUUID()}`;

  const created = await orThrow(
    users.createUser({ user_id, payload: { name: 'Consumer', email: 'consumer@example.com' } }),
  );
  const idempotencyKey = globalThis.crypto.randomUUID();
  const deposited = await orThrow(
    users.changeBalance({ user_id, payload: { delta: 25 } }, { idempotencyKey }),
  );
  const again = await users.changeBalance({ user_id, payload: { delta: 25 } }, { idempotencyKey });

  const detail = await orThrow(users.readYourWrite(deposited));
  const history = await orThrow(users.getHistory({ user_id, min_version: deposited.sequence }));
  const deposits = history.events.flatMap((event) =>
    event.event_type === 'USER_BALANCE' ? [event.payload.delta] : [],
  );

  const overdraw = await users.changeBalance({ user_id, payload: { delta: -100 } });
  if (overdraw.error?.code !== 'INSUFFICIENT_BALANCE') {
    throw new Error(`expected INSUFFICIENT_BALANCE, got ${overdraw.error?.message ?? 'a 200'}`);
  }
  const refusal = {
    status: overdraw.error.status,
    balance: overdraw.error.body.balance,
    delta: overdraw.error.body.delta,
  };

  const delivery = localAwsUrl
    ? await deliveredEvent(
        localAwsUrl,
        ({ detail }) => detail.user_id === user_id && detail.version === deposited.sequence,
      )
    : undefined;
  const published =
    delivery?.event.type === 'user.balance-changed' ? delivery.event.detail.data : undefined;

  return {
    user_id,
    sequences: [created.sequence, deposited.sequence],
    replay: {
      sameEvent: again.data?.event_id === deposited.event_id,
      marker: again.response.headers.get('Idempotent-Replayed'),
    },
    balance: detail.Balance,
    version: detail.Version,
    deposits,
    refusal,
    delivered: delivery?.delivered,
    published,
  };
};

if (require.main === module) {
  const [baseUrl = 'http://localhost:3000', localAwsUrl] = process.argv.slice(2);
  runConsumer({ baseUrl, localAwsUrl, token: process.env.TOKEN }).then(
    (report) => console.log(JSON.stringify(report, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
