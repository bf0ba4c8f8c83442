import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '@users/shared';
import { type Around, simulatedClients } from '../../../../test/simulation/dynamodb';
import { emfWrittenBy } from '../../../../test/support/emf';
import { DynamoErasureReceipts, RECORD_WITHIN_MS } from './dynamo-erasure-receipts';

const TABLE = 'users-test-erasure-receipts';
const receiptsTable = { name: TABLE, hashKey: { name: 'UserID', type: 'S' as const } };

/** The receipt as the command side starts it, in the erasure's own transaction. */
const started = (userId: string) => ({
  UserID: userId,
  ErasedAt: '2026-12-07T12:00:00.000Z',
  Version: 7,
  EventId: 'e-7',
  KeyShreddedAt: '2026-12-07T12:00:00.000Z',
  DetailHiddenAt: {},
  HistoryRewrittenAt: {},
});

const setUp = (around?: Around) => {
  const { documents } = simulatedClients([receiptsTable], { around, maxAttempts: 1 });
  const receipts = new DynamoErasureReceipts(documents, TABLE);
  const item = async (userId: string) =>
    (await documents.send(new GetCommand({ TableName: TABLE, Key: { UserID: userId } }))).Item;
  const start = (userId: string) =>
    documents.send(new PutCommand({ TableName: TABLE, Item: started(userId) }));
  return { documents, receipts, item, start };
};

const at = (iso: string) => new Date(iso);

describe('the erasure receipts table (DynamoErasureReceipts)', () => {
  it("records each version's steps, the first time of each staying", async () => {
    const { receipts, item, start } = setUp();
    await start('u1');
    await receipts.detailHidden('u1', 1, at('2026-12-07T12:00:00.300Z'));
    await receipts.detailHidden('u1', 2, at('2026-12-07T12:00:00.310Z'));
    await receipts.historyRewritten('u1', 1, at('2026-12-07T12:00:01.000Z'));
    // A later pass (a mark applied, a precautionary round) does not move a recorded time.
    await receipts.detailHidden('u1', 1, at('2026-12-07T12:01:00.000Z'));
    await receipts.historyRewritten('u1', 1, at('2026-12-07T12:01:00.000Z'));
    expect(await item('u1')).toMatchObject({
      DetailHiddenAt: { '1': '2026-12-07T12:00:00.300Z', '2': '2026-12-07T12:00:00.310Z' },
      HistoryRewrittenAt: { '1': '2026-12-07T12:00:01.000Z' },
    });
    expect(await receipts.receiptOf('u1')).toEqual({
      userId: 'u1',
      erasedAt: '2026-12-07T12:00:00.000Z',
      version: 7,
      eventId: 'e-7',
      keyShreddedAt: '2026-12-07T12:00:00.000Z',
      detailHiddenAt: { 1: '2026-12-07T12:00:00.300Z', 2: '2026-12-07T12:00:00.310Z' },
      historyRewrittenAt: { 1: '2026-12-07T12:00:01.000Z' },
    });
  });

  it("fills in a version's detail step when its rewrite is recorded finished without it", async () => {
    const { receipts, item, start } = setUp();
    await start('u7');
    await receipts.historyRewritten('u7', 2, at('2026-12-07T12:00:02.000Z'));
    expect(await item('u7')).toMatchObject({
      DetailHiddenAt: { '2': '2026-12-07T12:00:02.000Z' },
      HistoryRewrittenAt: { '2': '2026-12-07T12:00:02.000Z' },
    });
  });

  it('reads the publication and the audit, and no receipt as null', async () => {
    const { documents, receipts } = setUp();
    await documents.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          ...started('u2'),
          PublishedAt: '2026-12-07T12:00:00.400Z',
          AuditedAt: '2026-12-08T09:00:00.000Z',
          AuditOutcome: 'nothing readable',
        },
      }),
    );
    expect(await receipts.receiptOf('u2')).toMatchObject({
      publishedAt: '2026-12-07T12:00:00.400Z',
      audit: { at: '2026-12-08T09:00:00.000Z', outcome: 'nothing readable' },
    });
    expect(await receipts.receiptOf('nobody')).toBeNull();
  });

  it('makes no receipt where there is none (an erasure of an earlier release), quietly', async () => {
    const { receipts, item } = setUp();
    const warn = jest.spyOn(logger, 'warn');
    // Nothing to record on: as good as recorded (nothing is started over for it).
    await expect(receipts.detailHidden('u3', 1, new Date())).resolves.toBe(true);
    await expect(receipts.historyRewritten('u3', 1, new Date())).resolves.toBe(true);
    expect(await item('u3')).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('never fails the erasure: a table that refuses or stalls is logged and given up within its bound', async () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const refusing = setUp(async (call, execute) => {
      if (call.operation === 'UpdateItem') throw new Error('socket hang up');
      return execute();
    });
    await refusing.start('u4');
    // Not recorded, and said so: the caller may do the step again; counted for the alarm.
    const { result, metrics } = await emfWrittenBy(
      () => refusing.receipts.detailHidden('u4', 1, new Date()),
      {},
    );
    expect(result).toBe(false);
    expect(metrics.get('ErasureStepsNotRecorded')).toEqual([1]);
    const stalled = setUp(async (call, execute) => {
      if (call.operation === 'UpdateItem') await new Promise(() => {});
      return execute();
    });
    await stalled.start('u5');
    const started = Date.now();
    await expect(stalled.receipts.historyRewritten('u5', 1, new Date())).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(RECORD_WITHIN_MS + 500);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(await stalled.item('u5')).toMatchObject({ HistoryRewrittenAt: {} });
    warn.mockRestore();
  });

  it("gives a stalled record up at the caller's signal too, well before its own bound", async () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const stalled = setUp(async (call, execute) => {
      if (call.operation === 'UpdateItem') await new Promise(() => {});
      return execute();
    });
    await stalled.start('u6');
    const started = Date.now();
    const signal = AbortSignal.timeout(100);
    await expect(stalled.receipts.detailHidden('u6', 1, new Date(), signal)).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(RECORD_WITHIN_MS / 2);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
