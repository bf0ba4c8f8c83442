import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dataKeysFromEnv } from '../personal-data/wiring';
import { documentClientFromEnv } from './client';
import { FUNCTION_CLIENT_OPTIONS } from './client-options';

/** An endpoint whose first answer stalls (held open, never sent); the next ones answer `{}`. */
const stallingOnce = async () => {
  const held: { end(): void }[] = [];
  let requests = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    if (requests++ === 0) {
      held.push(response);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => {
      for (const response of held) response.end();
      server.close();
    },
  };
};

/** A function's time: a stalled answer must be given up and retried well within it. */
const FUNCTION_TIMEOUT_MS = 10_000;

const withEnv = async (env: Record<string, string>, work: () => Promise<unknown>) => {
  const before = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    process.env = before;
  }
};

describe("a function's AWS clients, as the functions build them", () => {
  it(
    'give up a stalled DynamoDB answer within the request timeout and retry it',
    async () => {
      const endpoint = await stallingOnce();
      try {
        const started = Date.now();
        await withEnv({ DYNAMODB_ENDPOINT: endpoint.endpoint }, () =>
          documentClientFromEnv().send(new GetCommand({ TableName: 't', Key: { Id: 'x' } })),
        );
        expect(endpoint.requests()).toBe(2);
        expect(Date.now() - started).toBeLessThan(
          2 * FUNCTION_CLIENT_OPTIONS.requestHandler.requestTimeout,
        );
      } finally {
        endpoint.close();
      }
    },
    FUNCTION_TIMEOUT_MS,
  );

  it(
    'do the same for KMS (the data keys)',
    async () => {
      const endpoint = await stallingOnce();
      try {
        const env = {
          AWS_ENDPOINT_URL_KMS: endpoint.endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          DATA_KEYS_TABLE: 'keys',
          KMS_KEY_ID: 'key',
        };
        // The stand-in answers `{}`: no key comes back, which is not what is tested here.
        await withEnv(env, () => dataKeysFromEnv().generate('user-1')).catch(() => undefined);
        expect(endpoint.requests()).toBe(2);
      } finally {
        endpoint.close();
      }
    },
    FUNCTION_TIMEOUT_MS,
  );
});
