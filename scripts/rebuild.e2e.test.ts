import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { benchDataKeys, userHistoryItems, writeItems } from '../bench/fixtures';
import { schemaOneItems } from '../test/fixtures/schema-1';
import { eventually, get, postCommand, uniqueUserId } from '../test/support/http';
import { ROOT } from './local-stack/paths';
import { runCommand } from './local-stack/processes';
import { createTables, stageConfig } from './local-stack/tables';

/** The stack under test: the e2e one (port from global setup) or one started with npm start. */
const dynamodbPort = process.env.E2E_DYNAMODB_PORT ?? '8000';
process.env.DYNAMODB_PORT = dynamodbPort;
const { client, readModelTables } = stageConfig('local', {
  kmsEndpoint: `http://localhost:${process.env.E2E_LOCAL_AWS_PORT ?? '3004'}`,
});

const runRebuild = (...args: string[]) =>
  runCommand('npm', ['run', '--silent', 'rebuild', ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd: ROOT,
    env: {
      ...process.env,
      DYNAMODB_PORT: dynamodbPort,
      LOCAL_AWS_PORT: process.env.E2E_LOCAL_AWS_PORT ?? '3004',
    },
  });

/** This test's users' items in every read model, in a canonical order. */
const dumpUsers = async (prefix: string) => {
  const dump: Record<string, string[]> = {};
  const tables = { detail: readModelTables.detail, history: readModelTables.history };
  for (const [name, table] of Object.entries(tables)) {
    const rows: string[] = [];
    for await (const page of paginateScan({ client }, { TableName: table, ConsistentRead: true })) {
      for (const item of page.Items ?? []) {
        if (String(item.UserID).startsWith(prefix))
          rows.push(JSON.stringify(item, Object.keys(item).sort()));
      }
    }
    dump[name] = rows.sort();
  }
  return dump;
};

describe('npm run rebuild', () => {
  it('rebuilds read models identical to what the live projector made, repairing damage', async () => {
    const prefix = uniqueUserId('rebuild');
    const users = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
    for (const userId of users) {
      await postCommand({
        user_id: userId,
        event_type: 'USER_CREATED',
        payload: { name: 'R', email: 'r@example.com' },
      });
      await postCommand({ user_id: userId, event_type: 'USER_BALANCE', payload: { delta: 9 } });
    }
    await postCommand({
      user_id: users[1],
      event_type: 'USER_UPDATED',
      payload: { name: 'Renamed' },
    });
    await postCommand({ user_id: users[2], event_type: 'USER_DELETED', payload: {} });
    await eventually(async () => {
      expect((await get(`/detail?user_id=${users[1]}`)).body.Version).toBe(3);
      expect((await get(`/detail?user_id=${users[2]}`)).status).toBe(404);
    });
    const live = await dumpUsers(prefix);
    expect(live.history).toHaveLength(8);

    await client.send(
      new PutCommand({
        TableName: readModelTables.detail,
        Item: {
          UserID: users[0],
          Name: 'damaged',
          Email: 'x@example.com',
          Balance: -1,
          Version: 2,
          Deleted: false,
        },
      }),
    );
    // Unlisted although it exists: the list entry lives on the detail item.
    await client.send(
      new UpdateCommand({
        TableName: readModelTables.detail,
        Key: { UserID: users[1] },
        UpdateExpression: 'REMOVE ListedUserID',
      }),
    );
    expect(await dumpUsers(prefix)).not.toEqual(live);

    const { stdout } = await runRebuild();
    expect(stdout).toMatch(/Rebuilt version 1: \d+ users from \d+ events/);
    expect(await dumpUsers(prefix)).toEqual(live);
  });

  it('rebuilds from another copy of the event store with --events-table (a restore drill)', async () => {
    // A restored copy holding a user the stage's own store does not: only a rebuild that reads
    // the copy makes its read models.
    const restored = uniqueUserId('restored');
    const { EventsTable } = await createTables(`http://localhost:${dynamodbPort}`, ['EventsTable']);
    try {
      for (const item of schemaOneItems().filter((i) => i.AggregateID === 'legacy-ada')) {
        await client.send(
          new PutCommand({ TableName: EventsTable, Item: { ...item, AggregateID: restored } }),
        );
      }
      expect((await get(`/detail?user_id=${restored}`)).status).toBe(404);
      const { stdout } = await runRebuild('--events-table', EventsTable);
      expect(stdout).toMatch(/Rebuilt version 1: \d+ users from \d+ events/);
      expect((await get(`/detail?user_id=${restored}`)).body).toMatchObject({
        UserID: restored,
        Name: 'Ada Legacy',
      });
    } finally {
      await client.send(new DeleteTableCommand({ TableName: EventsTable }));
    }
  });

  it("opens a copy sealed under another stage's keys with --data-keys-table", async () => {
    const endpoint = `http://localhost:${dynamodbPort}`;
    const { EventsTable, DataKeysTable } = await createTables(endpoint, [
      'EventsTable',
      'DataKeysTable',
    ]);
    const keys = benchDataKeys(
      endpoint,
      `http://localhost:${process.env.E2E_LOCAL_AWS_PORT ?? '3004'}`,
      DataKeysTable,
    );
    const userId = uniqueUserId('restored-sealed');
    const items = userHistoryItems(userId, 3, await keys.readOrCreate(userId), {
      name: 'Prod Person',
      email: 'prod@example.com',
    });
    try {
      await writeItems(client, EventsTable, items);
      // The drill stage's own keys cannot open the copy's personal fields: the user is reported.
      await expect(runRebuild('--events-table', EventsTable)).rejects.toThrow(userId);
      const { stdout } = await runRebuild(
        '--events-table',
        EventsTable,
        '--data-keys-table',
        DataKeysTable,
      );
      expect(stdout).toMatch(/Rebuilt version 1: \d+ users from \d+ events/);
      expect((await get(`/detail?user_id=${userId}`)).body).toMatchObject({
        UserID: userId,
        Name: 'Prod Person',
        Version: 3,
      });
    } finally {
      await client.send(new DeleteTableCommand({ TableName: EventsTable }));
      await client.send(new DeleteTableCommand({ TableName: DataKeysTable }));
    }
  });
});
