import { initialState } from '../domain/user';
import {
  acceptedResponse,
  IDEMPOTENT_REPLAYED_HEADER,
  refusalError,
} from '../http/command-responses';
import { type CommandRequest, executeCommand } from './execute-command';
import {
  type AppendRequest,
  type EventStore,
  IdempotencyKeyTakenError,
  type IdempotencyRecord,
} from './ports';

/**
 * A store that keeps only idempotency records, its users never created: enough to see what a
 * retry gets (the events themselves are the integration tests' business, on DynamoDB Local).
 */
const storeOfKeys = () => {
  const records = new Map<string, IdempotencyRecord>();
  const take = async (record: IdempotencyRecord | undefined) => {
    if (!record) return;
    if (records.has(record.key)) throw new IdempotencyKeyTakenError();
    records.set(record.key, record);
  };
  const store: EventStore = {
    readHead: async () => ({ version: 0, state: initialState }),
    appendEvents: ({ idempotency }) => take(idempotency),
    recordOutcome: take,
    readIdempotency: async (key) => records.get(key),
  };
  return { store, records };
};

const deps = (store: EventStore) => ({
  store,
  now: () => new Date('2026-11-29T12:00:00.000Z'),
  newEventId: () => '6f1c1a2e-4b0e-4d5e-9f3a-2b7c8d9e0f1a',
});

const create: CommandRequest = {
  userId: 'user-001',
  command: { type: 'USER_CREATED', payload: { name: 'Alice', email: 'alice@example.com' } },
  caller: 'user-001',
  idempotencyKey: 'key-1',
  correlationId: 'test',
};

describe('a retry under the same Idempotency-Key', () => {
  it('gets the recorded answer, marked as replayed, and its 200 says so in a header', async () => {
    const { store, records } = storeOfKeys();
    const first = await executeCommand(deps(store), create);
    const retry = await executeCommand(deps(store), create);

    expect(first).toMatchObject({ kind: 'stored', result: { version: 1 } });
    expect(first.replayed).toBeUndefined();
    expect(retry).toEqual({ ...first, replayed: true });
    expect([...records.values()].map(({ outcome }) => outcome)).toEqual([first]);

    if (first.kind === 'refused' || retry.kind === 'refused') throw new Error('refused');
    const [fresh, replayed] = [acceptedResponse(first), acceptedResponse(retry)];
    expect(fresh.headers).not.toHaveProperty(IDEMPOTENT_REPLAYED_HEADER);
    expect(replayed.headers).toMatchObject({ [IDEMPOTENT_REPLAYED_HEADER]: 'true' });
    expect(replayed.body).toBe(fresh.body);
  });

  it('is marked for a recorded refusal too; a request under another key is not', async () => {
    const { store } = storeOfKeys();
    const deposit: CommandRequest = {
      ...create,
      command: { type: 'USER_BALANCE', payload: { delta: 5 } },
    };
    const first = await executeCommand(deps(store), deposit);
    const retry = await executeCommand(deps(store), deposit);
    expect(first).not.toHaveProperty('replayed');
    expect(retry).toEqual({
      kind: 'refused',
      refusal: { code: 'USER_NOT_FOUND', details: {} },
      replayed: true,
    });
    if (first.kind !== 'refused' || retry.kind !== 'refused') throw new Error('not refused');
    expect(refusalError(first.refusal, first.replayed).headers).toEqual({});
    expect(refusalError(retry.refusal, retry.replayed).headers).toEqual({
      [IDEMPOTENT_REPLAYED_HEADER]: 'true',
    });
    const another = await executeCommand(deps(store), { ...deposit, idempotencyKey: 'key-2' });
    expect(another).not.toHaveProperty('replayed');
  });

  it('without a key, nothing is recorded and nothing replayed', async () => {
    const { store, records } = storeOfKeys();
    const keyless = { ...create, idempotencyKey: undefined };
    await executeCommand(deps(store), keyless);
    expect(await executeCommand(deps(store), keyless)).not.toHaveProperty('replayed');
    expect(records.size).toBe(0);
  });
});

describe('a decision and its events', () => {
  it('read the clock once: an erasure falls due exactly the grace period after it was asked', async () => {
    let tick = Date.parse('2026-12-01T12:00:00.000Z');
    const appended: AppendRequest[] = [];
    const store: EventStore = {
      readHead: async () => ({
        version: 1,
        state: { status: 'active', name: 'A', email: 'a@example.com', balance: 0 },
      }),
      appendEvents: async (request) => {
        appended.push(request);
      },
      recordOutcome: async () => {},
      readIdempotency: async () => undefined,
    };
    const answer = await executeCommand(
      // A clock that moves on at every reading.
      {
        ...deps(store),
        now: () => {
          tick += 7;
          return new Date(tick);
        },
        erasureGraceSeconds: 60,
      },
      {
        userId: 'user-001',
        command: { type: 'USER_ERASURE_REQUESTED', payload: {} },
        caller: 'user-001',
        correlationId: 'c',
      },
    );
    const [event] = appended[0]?.events.map((appendedEvent) => appendedEvent.event) ?? [];
    expect(answer.kind).toBe('stored');
    expect(event).toMatchObject({ type: 'USER_ERASURE_REQUESTED' });
    const { occurredAt, payload } = event as {
      occurredAt: string;
      payload: { erase_after: string };
    };
    expect(Date.parse(payload.erase_after) - Date.parse(occurredAt)).toBe(60_000);
  });
});
