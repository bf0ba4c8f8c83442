import { TransactionConflictException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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

/** DynamoDB refuses the write because a transaction on the same item is in flight (AWS only). */
export const conflictWithTransactions = (client: DynamoDBDocumentClient, fault: Fault) => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (matches(fault, context.commandName)) {
        throw new TransactionConflictException({
          message: 'Transaction is ongoing for the item (on purpose)',
          $metadata: {},
        });
      }
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
