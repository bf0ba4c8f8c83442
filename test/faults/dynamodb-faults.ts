import {
  type AttributeValue,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

type Fault = {
  /** SDK command names, e.g. PutItemCommand, TransactWriteItemsCommand. */
  commands: string[];
  /** Asked once per request of those commands: fault this one? */
  when: () => boolean;
};

const matches = (fault: Fault, commandName: string | undefined) =>
  commandName !== undefined && fault.commands.includes(commandName) && fault.when();

/**
 * The request reaches DynamoDB and succeeds, but its response is lost on the way back (a
 * connection reset), so the SDK retries it: what a network blip or a timeout does in AWS.
 * Only the first attempt of a request loses its answer; the SDK's retry gets one.
 */
export const loseResponses = (client: DynamoDBDocumentClient, fault: Fault) => {
  const lost = new WeakSet<object>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!lost.has(context) && matches(fault, context.commandName)) {
        lost.add(context);
        throw Object.assign(new Error('socket hang up (response lost on purpose)'), {
          code: 'ECONNRESET',
        });
      }
      return result;
    },
    { step: 'deserialize', name: 'loseResponses' },
  );
};

/**
 * The first attempt reaches DynamoDB and succeeds with its answer lost; every retry then fails
 * with `then()` (throttling, a 500) until the SDK gives up: the write landed, the SDK says it
 * failed.
 */
export const loseResponsesThenFail = (
  client: DynamoDBDocumentClient,
  fault: Fault,
  then: () => Error,
) => {
  const attempts = new WeakMap<object, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!matches(fault, context.commandName) && !attempts.has(context)) return next(args);
      const attempt = (attempts.get(context) ?? 0) + 1;
      attempts.set(context, attempt);
      if (attempt > 1) throw then();
      await next(args);
      throw Object.assign(new Error('socket hang up (response lost on purpose)'), {
        code: 'ECONNRESET',
      });
    },
    { step: 'deserialize', name: 'loseResponsesThenFail' },
  );
};

/** What DynamoDB answers a write meeting another transaction: per item, or per transaction. */
const transactionConflict = (commandName: string | undefined) =>
  commandName === 'TransactWriteItemsCommand'
    ? new TransactionCanceledException({
        message: 'Transaction cancelled (on purpose)',
        $metadata: {},
        CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
      })
    : new TransactionConflictException({
        message: 'Transaction is ongoing for the item (on purpose)',
        $metadata: {},
      });

/**
 * The first attempt reaches DynamoDB and succeeds with its answer lost; the SDK's retry then
 * meets a transaction in flight on the item (AWS only), an error the SDK does not retry.
 */
export const loseResponsesThenConflict = (client: DynamoDBDocumentClient, fault: Fault) => {
  const attempts = new WeakMap<object, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!matches(fault, context.commandName) && !attempts.has(context)) return next(args);
      const attempt = (attempts.get(context) ?? 0) + 1;
      attempts.set(context, attempt);
      if (attempt > 1) throw transactionConflict(context.commandName);
      await next(args);
      throw Object.assign(new Error('socket hang up (response lost on purpose)'), {
        code: 'ECONNRESET',
      });
    },
    { step: 'deserialize', name: 'loseResponsesThenConflict' },
  );
};

/** DynamoDB refuses the write because a transaction on the same item is in flight (AWS only). */
export const conflictWithTransactions = (client: DynamoDBDocumentClient, fault: Fault) => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (matches(fault, context.commandName)) throw transactionConflict(context.commandName);
      return next(args);
    },
    { step: 'initialize', name: 'conflictWithTransactions' },
  );
};

/** A fault for the first `times` matching requests, then none. */
export const firstTimes = (times: number) => {
  let left = times;
  return () => left-- > 0;
};

type BatchRequestBody = {
  RequestItems: Record<string, unknown[] | { Keys: unknown[] }>;
};

/**
 * DynamoDB takes only the first half of a BatchWriteItem or BatchGetItem and hands the rest back
 * as unprocessed, as it does under throttling: what is held back never reaches the table. With
 * 'all' it takes none, for as long as the fault lasts (DynamoDB itself would throw a throughput
 * error once nothing at all can be processed; the SDK retries that): a backlog that never clears.
 * Returns how many items were held back, so a test can check the fault happened.
 */
export const leaveUnprocessed = (
  client: DynamoDBDocumentClient,
  fault: Fault,
  share: 'half' | 'all' = 'half',
) => {
  const heldBack = { items: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as {
        body: Uint8Array | string;
        headers: Record<string, string>;
      };
      if (!matches(fault, context.commandName)) return next(args);
      const text = new TextDecoder().decode(request.body as Uint8Array);
      const body = JSON.parse(text) as BatchRequestBody;
      const [table, asked] = Object.entries(body.RequestItems)[0] as [
        string,
        BatchRequestBody['RequestItems'][string],
      ];
      const items = Array.isArray(asked) ? asked : asked.Keys;
      const held = items.splice(share === 'all' ? 0 : Math.ceil(items.length / 2));
      heldBack.items += held.length;
      request.body = JSON.stringify(body);
      request.headers['content-length'] = String(Buffer.byteLength(request.body));
      const result =
        items.length > 0
          ? await next(args)
          : { output: { Responses: { [table]: [] }, $metadata: {} }, response: {} };
      // The document client has already unmarshalled the answer by the time it gets here.
      const output = result.output as Record<string, unknown>;
      const open = (item: unknown) => unmarshall(item as Record<string, AttributeValue>);
      if (Array.isArray(asked)) {
        output.UnprocessedItems = {
          [table]: (held as { PutRequest: { Item: unknown } }[]).map(({ PutRequest }) => ({
            PutRequest: { Item: open(PutRequest.Item) },
          })),
        };
      } else if (held.length > 0) {
        output.UnprocessedKeys = { [table]: { ...asked, Keys: held.map(open) } };
      }
      return result;
    },
    { step: 'build', name: 'leaveUnprocessed' },
  );
  return heldBack;
};

type TableRequest = { TableName?: string; RequestItems?: Record<string, unknown> };

/**
 * Every request on `table` is refused as over its throughput, after the SDK's own retries: what
 * a hot partition does in AWS (about 1,000 writes/s per partition key). Returns how many
 * requests were refused, so a test can check the fault happened.
 */
export const throttleTable = (
  client: DynamoDBDocumentClient,
  table: string,
  /** Only these commands (e.g. PutItemCommand); every one if not said. */
  commands?: string[],
) => {
  const refused = { requests: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as TableRequest;
      const named = !commands || commands.includes(context.commandName ?? '');
      if (
        named &&
        (input.TableName === table || (input.RequestItems && table in input.RequestItems))
      ) {
        refused.requests++;
        throw new ProvisionedThroughputExceededException({
          message: 'Throughput exceeded (on purpose)',
          $metadata: {},
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'throttleTable' },
  );
  return refused;
};

/** Requests refused as over their table's throughput, as they reach the caller once the SDK's own retries are spent. */
export const throttleRequests = (client: DynamoDBDocumentClient, fault: Fault) => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!matches(fault, context.commandName)) return next(args);
      throw new ProvisionedThroughputExceededException({
        message: 'Throughput exceeded (on purpose)',
        $metadata: {},
      });
    },
    { step: 'initialize', name: 'throttleRequests' },
  );
};

/** A transaction DynamoDB cancels because one of its items is over its throughput (AWS only). */
export const cancelTransactionsForThrottling = (client: DynamoDBDocumentClient, fault: Fault) => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!matches(fault, context.commandName)) return next(args);
      throw new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons (on purpose)',
        $metadata: {},
        CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }],
      });
    },
    { step: 'initialize', name: 'cancelTransactionsForThrottling' },
  );
};

const SINGLE_WRITES = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand'];

/**
 * Writes to `table` go no faster than `itemsPerSecond` (each item of a BatchWriteItem, each
 * PutItem, UpdateItem or DeleteItem): what one partition key allows in AWS (about 1,000 writes/s),
 * or less, scaled down. Requests wait their turn; none is refused.
 */
export const limitWrites = (
  client: DynamoDBDocumentClient,
  table: string,
  itemsPerSecond: number | (() => number | undefined),
) => {
  const rate = typeof itemsPerSecond === 'number' ? () => itemsPerSecond : itemsPerSecond;
  let nextFree = Date.now();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as TableRequest;
      const batch = input.RequestItems?.[table] as unknown[] | undefined;
      const single = SINGLE_WRITES.includes(context.commandName ?? '') && input.TableName === table;
      const items = batch?.length ?? (single ? 1 : 0);
      const itemsPerSecond = rate();
      if (items > 0 && itemsPerSecond) {
        nextFree = Math.max(nextFree, Date.now()) + (items * 1000) / itemsPerSecond;
        await new Promise((resolve) => setTimeout(resolve, nextFree - Date.now()));
      }
      return next(args);
    },
    { step: 'initialize', name: 'limitWrites' },
  );
};
