import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { COMMAND_FUNCTION_TABLES } from '../../scripts/local-stack/tables';
import {
  type CommandDependencies,
  type CommandRequest,
  executeCommand,
} from '../../services/command-service/src/application/execute-command';
import { DynamoEventStore } from '../../services/command-service/src/infrastructure/dynamo-event-store';
import { testDataKeys, testDocumentClient } from './integration';

/** The command service's tables, as `createTestTables` names them. */
export type CommandTables = {
  EventsTable: string;
  IdempotencyTable: string;
  DataKeysTable: string;
  ErasureReceiptsTable: string;
  PendingErasuresTable: string;
};

export const COMMAND_TABLES = COMMAND_FUNCTION_TABLES;

const client = testDocumentClient();

/** The event store over test tables, on DynamoDB Local. */
export const testEventStore = (tables: CommandTables) =>
  new DynamoEventStore(
    client,
    {
      events: tables.EventsTable,
      idempotency: tables.IdempotencyTable,
      erasureReceipts: tables.ErasureReceiptsTable,
      pendingErasures: tables.PendingErasuresTable,
    },
    testDataKeys(tables.DataKeysTable),
  );

/** A command as the user sends it for themself. */
export const sendCommand = (
  deps: CommandDependencies,
  userId: string,
  type: string,
  payload: object = {},
  deadline?: number,
) =>
  executeCommand(deps, {
    userId,
    command: { type, payload } as CommandRequest['command'],
    caller: userId,
    correlationId: 'test',
    deadline,
  });

/** A user's stored event types, in version order (a consistent read). */
export const storedEventTypes = async (eventsTable: string, userId: string) => {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: eventsTable,
      KeyConditionExpression: 'AggregateID = :id',
      ExpressionAttributeValues: { ':id': userId },
      ConsistentRead: true,
    }),
  );
  return Items.map((item) => item.EventType as string);
};
