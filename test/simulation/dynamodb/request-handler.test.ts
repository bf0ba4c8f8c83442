import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { DynamoDBError } from './errors';
import { type Around, simulatedRequestHandler } from './request-handler';
import { SimulatedDynamoDB } from './simulated-dynamodb';

const counters = { name: 'counters', hashKey: { name: 'id', type: 'S' as const } };

/** Clients as the simulation builds them, retrying at once (the SDK's delays are its own). */
const clientsWith = (around?: Around) => {
  const emulator = new SimulatedDynamoDB([counters], { now: () => 0 });
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://simulated',
    credentials: { accessKeyId: 'simulated', secretAccessKey: 'simulated' },
    requestHandler: simulatedRequestHandler(emulator, around),
    retryStrategy: new ConfiguredRetryStrategy(3, () => 0),
  });
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { emulator, documents };
};

const increment = new UpdateCommand({
  TableName: 'counters',
  Key: { id: 'c' },
  UpdateExpression: 'ADD n :one',
  ExpressionAttributeValues: { ':one': 1 },
});

const countOf = async (documents: DynamoDBDocumentClient) =>
  (await documents.send(new GetCommand({ TableName: 'counters', Key: { id: 'c' } }))).Item?.n;

const lostAnswer = () =>
  Object.assign(new Error('socket hang up (answer lost on purpose)'), { code: 'ECONNRESET' });

describe('the SDK bridge', () => {
  test("DynamoDB's errors reach the caller as the SDK's own classes, with their fields", async () => {
    const { documents } = clientsWith();
    await documents.send(new PutCommand({ TableName: 'counters', Item: { id: 'c', n: 1 } }));
    const conditional = await documents
      .send(
        new PutCommand({
          TableName: 'counters',
          Item: { id: 'c' },
          ConditionExpression: 'attribute_not_exists(id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((error: unknown) => error);
    expect(conditional).toBeInstanceOf(ConditionalCheckFailedException);
    expect(conditional).toMatchObject({
      message: 'The conditional request failed',
      Item: { id: { S: 'c' }, n: { N: '1' } },
      $metadata: { httpStatusCode: 400, requestId: expect.stringMatching(/^simulated-/) },
    });
    const cancelled = await documents
      .send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: 'counters',
                Item: { id: 'c' },
                ConditionExpression: 'attribute_not_exists(id)',
              },
            },
          ],
        }),
      )
      .catch((error: unknown) => error);
    expect(cancelled).toBeInstanceOf(TransactionCanceledException);
    expect(cancelled).toMatchObject({
      message: expect.stringContaining('[ConditionalCheckFailed]'),
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
    });
  });

  test('a write whose answer is lost is retried by the SDK, and so applied twice', async () => {
    let lost = 0;
    const { documents } = clientsWith(async ({ operation }, execute) => {
      const output = execute();
      if (operation === 'UpdateItem' && lost++ === 0) throw lostAnswer();
      return output;
    });
    await documents.send(increment);
    expect(await countOf(documents)).toBe(2);
  });

  test("a transaction's retry after a lost answer is not applied again (ClientRequestToken)", async () => {
    let lost = 0;
    const { documents } = clientsWith(async ({ operation }, execute) => {
      const output = execute();
      if (operation === 'TransactWriteItems' && lost++ === 0) throw lostAnswer();
      return output;
    });
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: 'counters',
              Key: { id: 'c' },
              UpdateExpression: 'ADD n :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
    expect([lost, await countOf(documents)]).toEqual([2, 1]);
  });

  test('throttles and 500s from the fault layer are retried by the SDK; past its attempts they surface', async () => {
    let calls = 0;
    const { documents } = clientsWith(async (_call, execute) => {
      calls++;
      if (calls === 1) {
        throw new DynamoDBError('ProvisionedThroughputExceededException', 'Rate exceeded');
      }
      if (calls === 2) throw new DynamoDBError('InternalServerError', 'Internal server error');
      return execute();
    });
    await documents.send(increment);
    expect(calls).toBe(3);
    expect(await countOf(documents)).toBe(1);

    const { documents: throttled } = clientsWith(async () => {
      throw new DynamoDBError('ProvisionedThroughputExceededException', 'Rate exceeded');
    });
    await expect(throttled.send(increment)).rejects.toBeInstanceOf(
      ProvisionedThroughputExceededException,
    );
  });

  test('a stalled answer ends when the SDK aborts the request', async () => {
    let stalled = false;
    const { documents, emulator } = clientsWith(async ({ abortSignal }) => {
      stalled = abortSignal !== undefined;
      return new Promise<object>(() => {});
    });
    const abort = new AbortController();
    const sent = documents.send(increment, { abortSignal: abort.signal });
    await new Promise((resolve) => setImmediate(resolve));
    abort.abort();
    await expect(sent).rejects.toMatchObject({ name: 'AbortError' });
    expect([stalled, emulator.currentIndex()]).toEqual([true, 0]);
  });

  test('an operation the emulator does not know is UnknownOperationException', () => {
    const { emulator } = clientsWith();
    expect(() => emulator.execute('ExecuteStatement', {})).toThrow(
      expect.objectContaining({ name: 'UnknownOperationException' }),
    );
  });
});
