import { createDocumentClient } from '@users/shared/dynamo';
import { auditErasure, recordAudit } from '../../../../../scripts/erasure-audit/audit';
import { eventually, get, postCommand, uniqueUserId } from '../../../../../test/support/http';

const dynamodb = () =>
  createDocumentClient({ endpoint: `http://localhost:${process.env.E2E_DYNAMODB_PORT ?? '8000'}` });

describe('GET /erasures/{user_id} and /erasures?user_id=: the receipt of an erasure, over HTTP', () => {
  it('says when each step completed, complete once every step is, then the audit that proves it', async () => {
    const userId = uniqueUserId('receipt');
    const command = (event_type: string, payload: object = {}) =>
      postCommand({ user_id: userId, event_type, payload });
    expect(
      (await command('USER_CREATED', { name: 'Rita Canary', email: 'rita@example.com' })).status,
    ).toBe(200);
    await command('USER_BALANCE', { delta: 4 });
    expect((await get(`/erasures/${userId}`)).status).toBe(404);

    const erased = await command('USER_ERASED');
    expect(erased.status).toBe(200);
    const receipt = await eventually(async () => {
      const answer = await get(`/erasures/${userId}`);
      expect(answer.status).toBe(200);
      expect(answer.body.complete).toBe(true);
      return answer.body;
    }, 30_000);
    expect(receipt).toMatchObject({
      user_id: userId,
      erased_at: erased.body.occurred_at,
      version: 3,
      event_id: erased.body.event_id,
      steps: {
        event_stored: erased.body.occurred_at,
        key_shredded: erased.body.occurred_at,
        integration_event_published: expect.any(String),
        read_models: [
          {
            projection_version: 1,
            detail_hidden: expect.any(String),
            history_rewritten: expect.any(String),
          },
        ],
      },
      audit: null,
    });
    expect(JSON.stringify(receipt)).not.toMatch(/Rita|rita@/);

    // The audit, once the receipt says done, finds nothing readable, and says so on the receipt.
    const audit = await auditErasure(dynamodb(), { stage: 'local', userId });
    expect(audit.verdict).toBe('nothing readable');
    expect(await recordAudit(dynamodb(), audit)).toBe(true);
    expect((await get(`/erasures/${userId}`)).body.audit).toEqual({
      at: audit.auditedAt,
      outcome: 'nothing readable',
    });
  }, 60_000);

  it('answers bad input with a 400 and field errors, an unknown user with a 404', async () => {
    const bad = await get(`/erasures/${encodeURIComponent(' spaced ')}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_REQUEST', fields: [expect.anything()] });
    const unknown = await get(`/erasures/${uniqueUserId('nobody')}`);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'USER_NOT_FOUND']);
    const missing = await get('/erasures');
    expect(missing).toMatchObject({
      status: 400,
      body: { fields: [{ path: '/queryStringParameters/user_id', message: 'is required' }] },
    });
  });

  it('answers by query for a user id a path cannot carry: `/`, `?` and `#`', async () => {
    const userId = `${uniqueUserId('receipt')}/team?a#b`;
    const byQuery = () => get(`/erasures?user_id=${encodeURIComponent(userId)}`);
    expect(
      (
        await postCommand({
          user_id: userId,
          event_type: 'USER_CREATED',
          payload: { name: 'Sam Slash', email: 'sam@example.com' },
        })
      ).status,
    ).toBe(200);
    expect((await byQuery()).status).toBe(404);
    const erased = await postCommand({ user_id: userId, event_type: 'USER_ERASED', payload: {} });
    expect(erased.status).toBe(200);
    const receipt = await eventually(async () => {
      const answer = await byQuery();
      expect(answer.status).toBe(200);
      expect(answer.body.complete).toBe(true);
      return answer.body;
    }, 30_000);
    expect(receipt).toMatchObject({ user_id: userId, version: 2, event_id: erased.body.event_id });
  }, 60_000);
});
