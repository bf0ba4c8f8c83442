import { createDocumentClient } from '@users/shared/dynamo';
import { eventually, get, postCommand, uniqueUserId } from '../../test/support/http';
import { tableNames } from '../local-stack/tables';
import { auditErasure } from './audit';

const audit = (userId: string) =>
  auditErasure(
    createDocumentClient({
      endpoint: `http://localhost:${process.env.E2E_DYNAMODB_PORT ?? '8000'}`,
    }),
    { stage: 'local', userId },
  );

describe('an erasure over HTTP, audited across every table of the stack', () => {
  it('leaves nothing of the user readable once the read models show it erased', async () => {
    const userId = uniqueUserId('audited');
    const commands = [
      ['USER_CREATED', { name: 'Audrey Canary', email: 'audrey@example.com' }],
      ['USER_UPDATED', { email: 'audrey.canary@example.com' }],
      ['USER_BALANCE', { delta: 3 }],
    ] as const;
    for (const [event_type, payload] of commands) {
      const answer = await postCommand(
        { user_id: userId, event_type, payload },
        { 'idempotency-key': `${userId}-${event_type}` },
      );
      expect(answer.status).toBe(200);
    }
    await eventually(async () =>
      expect((await get(`/detail?user_id=${userId}`)).body.Version).toBe(3),
    );
    expect((await audit(userId)).readable.length).toBeGreaterThan(0);

    expect(
      (await postCommand({ user_id: userId, event_type: 'USER_ERASED', payload: {} })).status,
    ).toBe(200);
    await eventually(async () => {
      const history = await get(`/history?user_id=${userId}`);
      expect(history.body.events).toHaveLength(4);
    });

    const result = await eventually(async () => {
      const found = await audit(userId);
      expect(found.readable).toEqual([]);
      return found;
    }, 30_000);
    expect(result.keyShredded).toBe(true);
    expect(result.tables.find((t) => t.table === tableNames('local').events)?.itemsOfUser).toBe(4);
  }, 60_000);
});
