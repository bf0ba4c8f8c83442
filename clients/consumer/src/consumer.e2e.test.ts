import asyncApiDocument from '../../../services/query-service/src/portal/asyncapi.generated.json';
import { baseUrl } from '../../../test/support/http';
import { validateInPython } from '../../../test/support/python-subscriber';
import { runConsumer } from './consumer';

describe('a consumer program using @users/client and @users/events', () => {
  it('writes, reads its writes, narrows a typed refusal, and reads the event it caused', async () => {
    const localAwsUrl = `http://localhost:${process.env.E2E_LOCAL_AWS_PORT ?? '3004'}`;
    const report = await runConsumer({ baseUrl: baseUrl(), localAwsUrl });
    expect(report).toMatchObject({
      sequences: [1, 2],
      replay: { sameEvent: true, marker: 'true' },
      balance: 25,
      version: 2,
      deposits: [25],
      refusal: { status: 422, balance: 25, delta: -100 },
      published: { delta: 25, balance: 25 },
    });
    // The same delivered event, as a subscriber written in Python checks it.
    expect(validateInPython(asyncApiDocument, [report.delivered])).toEqual([null]);
  }, 60_000);
});
