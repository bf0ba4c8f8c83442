import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Stack = DynamoDBDocumentClient['middlewareStack'];

/**
 * Counts every request a client sends, by command name (GetItemCommand, DecryptCommand, ...),
 * retries excluded: what an SDK middleware sees, not a guess. Any SDK v3 client.
 */
export const countRequests = (client: { middlewareStack: unknown }) => {
  const sent: Record<string, number> = {};
  (client.middlewareStack as Stack).add(
    (next, context) => (args) => {
      const name = context.commandName as string;
      sent[name] = (sent[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return sent;
};
