import fc from 'fast-check';

/** Arbitrary requests for every endpoint: random JSON, wrong types, huge and deep values, odd unicode. */

const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u200b',
    '\ud800',
    'a\udc00b',
    '\u202e',
    'ﬀ',
    '💥'.repeat(40),
    'x'.repeat(129),
  ),
);

const anyJson = fc.jsonValue({ maxDepth: 4 });

const almostValidPayload = fc.oneof(
  fc.record(
    { name: fc.oneof(oddString, anyJson), email: fc.oneof(fc.emailAddress(), oddString, anyJson) },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      delta: fc.oneof(fc.integer(), fc.double(), fc.constant(0), fc.bigInt().map(String), anyJson),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(oddString, anyJson, { maxKeys: 4 }),
  anyJson,
);

const eventType = fc.oneof(
  fc.constantFrom(
    'USER_CREATED',
    'USER_BALANCE',
    'USER_UPDATED',
    'USER_DELETED',
    'user_created',
    'USER_PROMOTED',
  ),
  oddString,
  anyJson,
);

const commandLike = fc.record(
  {
    user_id: fc.oneof(fc.constantFrom('fuzz-user'), oddString, anyJson),
    event_type: eventType,
    payload: almostValidPayload,
    expected_version: fc.oneof(fc.integer({ min: -2, max: 5 }), oddString, anyJson),
    extra: anyJson,
  },
  { requiredKeys: [] },
);

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A creation of a fresh user that must be stored: the accepted side of the accounting. */
const validCreation = fc.uuid().map((id) =>
  JSON.stringify({
    user_id: `fuzz-${id}`,
    event_type: 'USER_CREATED',
    payload: { name: 'Fuzz', email: 'fuzz@example.com' },
  }),
);

/** A POST /command body as raw text: usually JSON, sometimes not JSON at all. */
export const commandBody = fc.oneof(
  { weight: 1, arbitrary: validCreation },
  { weight: 6, arbitrary: commandLike.map((body) => JSON.stringify(body)) },
  { weight: 2, arbitrary: anyJson.map((body) => JSON.stringify(body)) },
  { weight: 1, arbitrary: oddString },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 100_000 }).map(nested) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 60_000, max: 80_000 })
      .map((n) => JSON.stringify({ user_id: 'fuzz', pad: 'x'.repeat(n) })),
  },
);

const headerValue = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 200 })
    .map((s) => s.replace(/[^\x20-\x7e]/g, 'x').trim() || 'x'),
  fc.constantFrom('k'.repeat(129), 'a b', '%00'),
);

export const commandHeaders = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      '',
    ),
    'idempotency-key': headerValue,
    'x-correlation-id': headerValue,
  },
  { requiredKeys: [] },
);

/** encodeURIComponent refuses lone surrogates; those travel as the raw bytes %ED%A0%80 instead. */
const encodeAnything = (value: string) =>
  encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\u0000')).replaceAll('%00', '%ED%A0%80');

const queryValue = fc.oneof(
  oddString.map(encodeAnything),
  fc.constantFrom(
    '%',
    '%ZZ',
    '%FF%FE',
    '%00',
    '1e3',
    '-1',
    '0',
    '101',
    '1.5',
    'abc.def',
    'x'.repeat(3000),
  ),
  fc.integer().map(String),
);

/** A GET request line for /list, /detail or /history with odd query strings. */
export const queryRequest = fc
  .tuple(
    fc.constantFrom('/list', '/detail', '/history'),
    fc.dictionary(
      fc.constantFrom('user_id', 'version', 'limit', 'next_token', 'other', 'user_id[]'),
      queryValue,
      { maxKeys: 4 },
    ),
  )
  .map(([path, params]) => {
    const query = Object.entries(params)
      .map(([key, value]) => `${key}=${value}`)
      .join('&');
    return query ? `${path}?${query}` : path;
  });
