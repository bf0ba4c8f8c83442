import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { BusValidationError, createLocalBus, FunctionError } from './local-bus';
import { localIssuerUrl, localJwks } from './local-issuer';
import { localKms } from './local-kms';
import { createLocalMetrics } from './local-metrics';
import { createLocalQueues } from './local-queues';
import { createLocalScheduler } from './local-scheduler';
import { requireFreePort } from './ports';

/** The page-token secret's id, as the local stack's functions are configured with it. */
export const LOCAL_PAGE_TOKEN_SECRET_ID = 'users-local-page-token';

/** The projector's failure queue, named as CloudFormation names it in a stage (npm run redrive). */
export const LOCAL_PROJECTOR_FAILURE_QUEUE = 'users-query-local-ProjectorFailureQueue-local';

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * What the stack needs of AWS besides DynamoDB, on one local port: the identity provider's
 * discovery document and JWKS (for `--auth`), Secrets Manager's GetSecretValue for the one
 * secret the functions read, and KMS's GenerateDataKey and Decrypt under a local key-encryption
 * key, and EventBridge's PutEvents with the rules of the stage's bus, delivering to functions
 * through serverless-offline's invoke endpoint on `lambdaPort` (local-bus.ts), and SQS for the
 * projector's failure queue (local-queues.ts); EventBridge Scheduler's one-time schedules, whose
 * clock can be made to pass (local-scheduler.ts); and the functions' metrics (local-metrics.ts).
 * The SDK is pointed here with AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_KMS,
 * AWS_ENDPOINT_URL_EVENTBRIDGE and AWS_ENDPOINT_URL_SCHEDULER.
 * The secret is made afresh for every start, as a deployed stage generates its own.
 */
export const startLocalAws = async (
  port: number,
  {
    lambdaPort,
    deliver,
    schedulerFile,
  }: {
    lambdaPort?: number;
    /** Tests: where the bus and the scheduler deliver, in place of the functions behind `lambdaPort`. */
    deliver?: (functionName: string, event: unknown) => Promise<void>;
    /** Where the scheduler keeps its schedules and clock across restarts; in memory when absent. */
    schedulerFile?: string;
  } = {},
) => {
  await requireFreePort(port, 'local AWS services');
  const issuer = localIssuerUrl(port);
  const secret = randomBytes(32).toString('base64url');
  const kms = localKms();
  const metrics = createLocalMetrics();
  const queues = createLocalQueues(`http://localhost:${port}`, [LOCAL_PROJECTOR_FAILURE_QUEUE]);
  const invoke = async (functionName: string, event: unknown) => {
    if (deliver) return deliver(functionName, event);
    if (!lambdaPort) throw new Error('no functions to deliver to');
    const response = await fetch(
      `http://localhost:${lambdaPort}/2015-03-31/functions/${functionName}/invocations`,
      { method: 'POST', body: JSON.stringify(event) },
    );
    const body = await response.text();
    if (response.headers.get('x-amz-function-error')) {
      throw new FunctionError(`${functionName} failed: ${body.slice(0, 200)}`);
    }
    if (response.status !== 200) {
      throw new Error(`${functionName} not invoked (${response.status}): ${body.slice(0, 200)}`);
    }
  };
  const bus = createLocalBus(invoke);
  // A function's own failure is retried here too (in AWS: Lambda's asynchronous retries, then the
  // function's failure destination).
  const scheduler = createLocalScheduler(invoke, { file: schedulerFile });
  const json = (status: number, body: unknown) => ({
    status,
    body: JSON.stringify(body),
    headers: undefined as Record<string, string> | undefined,
  });
  const answer = async (request: IncomingMessage) => {
    if (request.url === '/.well-known/openid-configuration') {
      return json(200, { issuer, jwks_uri: `${issuer}/.well-known/jwks.json` });
    }
    if (request.url === '/.well-known/jwks.json') return json(200, await localJwks());
    if (request.url === '/local/bus/counters') return json(200, bus.counters());
    // What subscribers received, for a consumer program to check against the contract.
    if (request.url === '/local/bus/delivered') return json(200, bus.delivered());
    // The functions' metrics (offline-metrics-tee.cjs sends them), for the console's panel.
    if (request.url === '/local/metrics') {
      if (request.method === 'POST') {
        metrics.record(await readBody(request));
        return json(200, {});
      }
      return json(200, metrics.view());
    }
    const text = await readBody(request);
    // EventBridge Scheduler's REST API (/schedules/...) and its local controls (time travel).
    const scheduled = await scheduler.answer(request.method ?? 'GET', request.url ?? '/', text);
    if (scheduled) return { headers: undefined, ...scheduled };
    const target = String(request.headers['x-amz-target']);
    const input = JSON.parse(text || '{}');
    // The local stack's own controls: rules read from the serverless config, injected faults.
    if (request.url === '/local/bus/rules') return json(200, bus.setRules(input));
    if (request.url === '/local/bus/faults') return json(200, bus.setFaults(input));
    if (target === 'AWSEvents.DescribeEventBus') {
      const found = bus.describeEventBus(input);
      return found ? json(200, found) : json(400, { __type: 'ResourceNotFoundException' });
    }
    if (target === 'AWSEvents.PutEvents') {
      try {
        return json(200, bus.putEvents(input));
      } catch (error) {
        if (!(error instanceof BusValidationError)) throw error;
        return json(400, { __type: 'ValidationException', message: error.message });
      }
    }
    if (
      target === 'secretsmanager.GetSecretValue' &&
      input.SecretId === LOCAL_PAGE_TOKEN_SECRET_ID
    ) {
      const { SecretId } = input;
      return json(200, { Name: SecretId, ARN: SecretId, SecretString: secret, VersionId: '1' });
    }
    if (target.startsWith('AmazonSQS.')) {
      try {
        const answer = queues.answer(target.slice('AmazonSQS.'.length), input);
        if (answer) return json(200, answer);
      } catch (error) {
        return json(400, { __type: (error as Error).message });
      }
    }
    if (target.startsWith('TrentService.')) {
      const answer = kms(target.slice('TrentService.'.length), input);
      return answer ? json(200, answer) : json(400, { __type: 'InvalidCiphertextException' });
    }
    return json(400, { __type: 'ResourceNotFoundException', message: 'Not here' });
  };
  const server = createServer(async (request, response) => {
    const { status, body, headers } = await answer(request).catch(() =>
      json(500, { message: 'failed' }),
    );
    response
      .writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    bus,
    scheduler,
    endpoint: `http://localhost:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        bus.stop();
        scheduler.stop();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export type LocalAws = Awaited<ReturnType<typeof startLocalAws>>;
