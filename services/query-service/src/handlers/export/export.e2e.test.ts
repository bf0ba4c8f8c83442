import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '@users/shared/dynamo';
import { tableNames } from '../../../../../scripts/local-stack/tables';
import { eventually, get, postCommand, uniqueUserId } from '../../../../../test/support/http';

const command = async (userId: string, event_type: string, payload: object) => {
  expect((await postCommand({ user_id: userId, event_type, payload })).status).toBe(200);
};

const exportOf = (userId: string, query = '') =>
  get(`/export?user_id=${encodeURIComponent(userId)}${query}`);

/** Every page of one export, following next_token to the end. */
const wholeExport = async (userId: string, limit: number) => {
  const pages = [];
  let token: string | undefined;
  do {
    const page = await exportOf(userId, `&limit=${limit}${token ? `&next_token=${token}` : ''}`);
    expect(page.status).toBe(200);
    pages.push(page.body);
    token = page.body.next_token;
  } while (token);
  return pages;
};

const exportsRecordedFor = async (userId: string) => {
  const client = createDocumentClient({
    endpoint: `http://localhost:${process.env.E2E_DYNAMODB_PORT ?? '8000'}`,
  });
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableNames('local').exports,
      KeyConditionExpression: 'UserID = :id',
      ExpressionAttributeValues: { ':id': userId },
    }),
  );
  return Items;
};

describe('GET /export', () => {
  it("gives a user's events opened, page by page, and records the export once", async () => {
    const userId = uniqueUserId('export');
    await command(userId, 'USER_CREATED', { name: 'Alice', email: 'alice@example.com' });
    await command(userId, 'USER_UPDATED', { name: 'Alicia' });
    await command(userId, 'USER_BALANCE', { delta: 7 });
    await eventually(async () =>
      expect((await get(`/detail?user_id=${userId}`)).body.Version).toBe(3),
    );

    const pages = await wholeExport(userId, 2);

    expect(pages).toHaveLength(2);
    expect(pages.flatMap((page) => page.events)).toEqual([
      expect.objectContaining({
        sequence: 1,
        event_type: 'USER_CREATED',
        payload: { name: 'Alice', email: 'alice@example.com' },
        correlation_id: expect.any(String),
        event_id: expect.any(String),
      }),
      expect.objectContaining({ sequence: 2, payload: { name: 'Alicia' } }),
      expect.objectContaining({ sequence: 3, payload: { delta: 7 } }),
    ]);
    expect(pages[0]).toMatchObject({
      erased: false,
      profile: { name: 'Alicia', email: 'alice@example.com', balance: 7, version: 3 },
    });
    expect(pages[1].export_id).toBe(pages[0].export_id);
    const recorded = await exportsRecordedFor(userId);
    expect(recorded).toEqual([
      expect.objectContaining({ UserID: userId, ExportId: pages[0].export_id }),
    ]);
    expect(JSON.stringify(recorded)).not.toMatch(/Alic|example\.com/);
  });

  it('says an erased user is erased and holds nothing personal', async () => {
    const userId = uniqueUserId('export-erased');
    await command(userId, 'USER_CREATED', { name: 'Eve', email: 'eve@example.com' });
    await command(userId, 'USER_ERASED', {});

    const [page] = await wholeExport(userId, 1000);

    expect(page).toMatchObject({ erased: true });
    expect(page.events.map((event: { event_type: string }) => event.event_type)).toEqual([
      'USER_CREATED',
      'USER_ERASED',
    ]);
    expect(JSON.stringify(page)).not.toMatch(/Eve|eve@/);
  });

  it('answers 404 for a user never stored, and 400 with field errors for bad input', async () => {
    expect(await exportOf(uniqueUserId('nobody'))).toMatchObject({
      status: 404,
      body: { code: 'USER_NOT_FOUND' },
    });
    const userId = uniqueUserId('export-bad');
    for (const [query, path] of [
      ['', '/queryStringParameters/user_id'],
      [`?user_id=${userId}&limit=0`, '/queryStringParameters/limit'],
      [`?user_id=${userId}&limit=1001`, '/queryStringParameters/limit'],
      [`?user_id=${userId}&next_token=forged.token`, '/queryStringParameters/next_token'],
    ]) {
      const answer = await get(`/export${query}`);
      expect([query, answer.status, answer.body.code]).toEqual([query, 400, 'INVALID_REQUEST']);
      expect(answer.body.fields).toEqual(
        expect.arrayContaining([expect.objectContaining({ path })]),
      );
    }
    expect(await exportsRecordedFor(userId)).toEqual([]);
  });

  it("refuses another user's page token", async () => {
    const [alice, bob] = [uniqueUserId('alice'), uniqueUserId('bob')];
    for (const userId of [alice, bob]) {
      await command(userId, 'USER_CREATED', { name: 'A', email: 'a@example.com' });
      await command(userId, 'USER_BALANCE', { delta: 1 });
    }
    const { body } = await exportOf(alice, '&limit=1');
    const answer = await exportOf(bob, `&limit=1&next_token=${body.next_token}`);
    expect(answer).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST' } });
  });
});
