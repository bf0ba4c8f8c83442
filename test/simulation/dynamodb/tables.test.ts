import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'yaml';
import { type CloudFormationResources, tableDefinitionsFromCloudFormation } from './cloudformation';
import { simulatedClients } from './simulated-clients';

const ROOT = join(__dirname, '../../..');

/** A service's declared resources, its `${...}` table names resolved for stage `test`. */
const declaredResources = (service: string, file = 'resources.yml'): CloudFormationResources => {
  const folder = join(ROOT, 'services', service, 'serverless');
  const stage = (text: string) =>
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Serverless variable, replaced literally
    text.replaceAll('${sls:stage}', 'test');
  const names = parse(stage(readFileSync(join(folder, 'tables.yml'), 'utf8')));
  const text = stage(readFileSync(join(folder, file), 'utf8')).replace(
    /\$\{self:custom\.(?:\w+\.)?(\w+)\}/g,
    (_, name: string) => names[name] ?? `${name}-test`,
  );
  const declared = parse(text);
  return declared.Resources ?? declared.resources.Resources;
};

describe('tables', () => {
  test("the project's own table declarations become table definitions", () => {
    const definitions = [
      ...tableDefinitionsFromCloudFormation(declaredResources('command-service')),
      ...tableDefinitionsFromCloudFormation(declaredResources('query-service')),
      ...tableDefinitionsFromCloudFormation(declaredResources('query-service', 'console-true.yml')),
      ...tableDefinitionsFromCloudFormation(declaredResources('stats-service')),
    ];
    const byName = Object.fromEntries(definitions.map((d) => [d.name, d]));
    expect(byName['users-test-events']).toEqual({
      name: 'users-test-events',
      hashKey: { name: 'AggregateID', type: 'S' },
      rangeKey: { name: 'Sequence', type: 'N' },
      stream: 'NEW_IMAGE',
    });
    expect(byName['users-test-user-detail']?.indexes).toEqual([
      {
        name: 'ListIndex',
        hashKey: { name: 'ListedUserID', type: 'S' },
        projection: { type: 'INCLUDE', nonKeyAttributes: ['Name'] },
      },
      {
        name: 'PendingErasures',
        hashKey: { name: 'HistoryErasure', type: 'S' },
        rangeKey: { name: 'UserID', type: 'S' },
        projection: { type: 'KEYS_ONLY' },
      },
    ]);
    expect(definitions.length).toBeGreaterThanOrEqual(9);
    simulatedClients(definitions);
  });

  test('CreateTable, DescribeTable, ListTables and DeleteTable', async () => {
    const { client, documents } = simulatedClients([]);
    const created = await client.send(
      new CreateTableCommand({
        TableName: 'feed',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'Feed', AttributeType: 'S' },
          { AttributeName: 'Position', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'Feed', KeyType: 'HASH' },
          { AttributeName: 'Position', KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    expect(created.TableDescription).toMatchObject({
      TableName: 'feed',
      TableStatus: 'ACTIVE',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    });
    await documents.send(new PutCommand({ TableName: 'feed', Item: { Feed: 'f', Position: 'p' } }));
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'feed' }));
    expect(Table).toMatchObject({
      ItemCount: 1,
      KeySchema: [
        { AttributeName: 'Feed', KeyType: 'HASH' },
        { AttributeName: 'Position', KeyType: 'RANGE' },
      ],
    });
    await expect(
      client.send(new CreateTableCommand(created.TableDescription as never)),
    ).rejects.toBeInstanceOf(ResourceInUseException);
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['feed']);
    await client.send(new DeleteTableCommand({ TableName: 'feed' }));
    await expect(
      client.send(new DescribeTableCommand({ TableName: 'feed' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      documents.send(
        new QueryCommand({
          TableName: 'feed',
          KeyConditionExpression: 'Feed = :f',
          ExpressionAttributeValues: { ':f': 'f' },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('ListTables pages in name order', async () => {
    const { client } = simulatedClients(
      ['ccc', 'aaa', 'bbb'].map((name) => ({ name, hashKey: { name: 'id', type: 'S' as const } })),
    );
    const first = await client.send(new ListTablesCommand({ Limit: 2 }));
    expect([first.TableNames, first.LastEvaluatedTableName]).toEqual([['aaa', 'bbb'], 'bbb']);
    const second = await client.send(
      new ListTablesCommand({ ExclusiveStartTableName: first.LastEvaluatedTableName }),
    );
    expect([second.TableNames, second.LastEvaluatedTableName]).toEqual([['ccc'], undefined]);
  });

  test.each([
    [{ TableName: 'ab' }, 'Table/index names must be between 3 and 255 characters long'],
    [
      {
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'unused', AttributeType: 'S' },
        ],
      },
      'does not exactly match number of attributes defined in AttributeDefinitions',
    ],
    [{ AttributeDefinitions: [] }, 'Some index key attributes are not defined'],
    [{ LocalSecondaryIndexes: [{}] }, 'Local secondary indexes are not emulated'],
  ])('CreateTable refuses %j', async (change, message) => {
    const { client } = simulatedClients([]);
    await expect(
      client.send(
        new CreateTableCommand({
          TableName: 'things',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          ...(change as object),
        }),
      ),
    ).rejects.toThrow(message);
  });
});
