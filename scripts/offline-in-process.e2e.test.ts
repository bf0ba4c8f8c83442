import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ApiResponse, eventually, get, postCommand } from '../test/support/http';

type LogLine = {
  message?: string;
  correlation_id?: string;
  function_request_id?: string;
  route?: string;
  status?: number;
};

const stackLog = () => {
  const file = process.env.E2E_STACK_LOG;
  if (!file)
    throw new Error('E2E_STACK_LOG is not set: this test reads the stack that jest starts');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
};

/** Four kinds of request, each answered with its own route and status. */
const requests: [route: string, status: number, send: (id: string) => Promise<ApiResponse>][] = [
  [
    'POST /command',
    200,
    (id) =>
      postCommand(
        {
          user_id: `apart-${randomUUID()}`,
          event_type: 'USER_CREATED',
          payload: { name: 'A', email: 'a@example.com' },
        },
        { 'x-correlation-id': id },
      ),
  ],
  ['POST /command', 400, (id) => postCommand({ user_id: 'x' }, { 'x-correlation-id': id })],
  [
    'GET /detail',
    404,
    (id) => get(`/detail?user_id=nobody-${randomUUID()}`, { 'x-correlation-id': id }),
  ],
  ['GET /list', 200, (id) => get('/list?limit=1', { 'x-correlation-id': id })],
];

describe('concurrent requests in the one local process', () => {
  it('answer and log each with its own correlation id and request id', async () => {
    const sent = Array.from({ length: 48 }, (_, i) => {
      const [route, status, send] = requests[i % requests.length] as (typeof requests)[number];
      return { id: `apart-${i}-${randomUUID()}`, route, status, send };
    });
    const answers = await Promise.all(sent.map(({ id, send }) => send(id)));
    sent.forEach(({ id, status }, i) => {
      expect({
        status: answers[i]?.status,
        id: answers[i]?.headers.get('x-correlation-id'),
      }).toEqual({
        status,
        id,
      });
    });

    const linesOf = await eventually(async () => {
      const lines = stackLog();
      const byId = new Map(
        sent.map(({ id }) => [id, lines.filter((l) => l.correlation_id === id)]),
      );
      for (const [id, own] of byId) {
        if (!own.some((line) => line.message === 'request answered'))
          throw new Error(`no line for ${id}`);
      }
      return byId;
    });
    const requestIds = new Set<string | undefined>();
    for (const { id, route, status } of sent) {
      const own = linesOf.get(id) ?? [];
      const answered = own.filter((line) => line.message === 'request answered');
      expect(answered.map(({ route, status }) => ({ route, status }))).toEqual([{ route, status }]);
      for (const line of own.filter((l) => l.message === 'request refused')) {
        expect(line.status).toBe(status);
      }
      const ownRequestIds = new Set(own.map((line) => line.function_request_id));
      expect(ownRequestIds.size).toBe(1);
      requestIds.add([...ownRequestIds][0]);
    }
    expect(requestIds.size).toBe(sent.length);
  });
});
