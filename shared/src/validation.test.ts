import { createAjv } from '../../scripts/validators/compiler';
import { deltaSchema, emailSchema, nameSchema } from './events/schemas';
import { validateStoredEventV1 as generated } from './events/stored-event.validators.generated';
import { describeErrors, describeFields, type Validator } from './validation';

const validateRecordedEvent = generated as Validator<unknown>;

const event = {
  userId: 'u1',
  version: 1,
  eventId: '6f1c1a2e-4b0e-4d5e-9f3a-2b7c8d9e0f1a',
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'c1',
  schemaVersion: 1,
  type: 'USER_CREATED',
  payload: { name: 'Ada', email: 'ada@example.com' },
};

const errorsOf = (candidate: unknown) => {
  expect(validateRecordedEvent(candidate)).toBe(false);
  return describeErrors(validateRecordedEvent.errors);
};

describe('validation errors', () => {
  it('accepts a valid event', () => {
    expect(validateRecordedEvent(event)).toBe(true);
  });

  it('explains a failed pattern in the words of its schema', () => {
    expect(errorsOf({ ...event, userId: 'a b' })).toEqual([
      '/userId must be 1-128 characters without spaces or control characters',
    ]);
    expect(errorsOf({ ...event, payload: { name: '   ', email: 'ada@example.com' } })).toContain(
      '/payload/name must contain a visible character and no control characters',
    );
  });

  it('names missing and unexpected properties', () => {
    const { correlationId: _, ...withoutCorrelation } = event;
    expect(errorsOf({ ...withoutCorrelation, extra: 1 })).toEqual([
      '/ must have property "correlationId"',
      '/ must not have property "extra"',
    ]);
  });

  it('says which constant is refused, and gives each problem as a field error a person can read', () => {
    const validate = createAjv().compile({
      type: 'object',
      properties: {
        name: nameSchema,
        email: emailSchema,
        delta: deltaSchema,
        sequence: { type: 'integer', minimum: 1 },
        user_id: { type: 'string' },
      },
      required: ['user_id'],
      additionalProperties: false,
    });
    expect(validate({ name: '', email: 'not-an-email', delta: 0, sequence: 'x', 'a/b': 1 })).toBe(
      false,
    );
    expect(describeErrors(validate.errors)).toEqual([
      '/ must have property "user_id"',
      '/ must not have property "a/b"',
      '/name must NOT have fewer than 1 characters',
      '/name must contain a visible character and no control characters',
      '/email must match format "email"',
      '/delta must not be 0',
      '/sequence must be integer',
    ]);
    expect(describeFields(validate.errors)).toEqual([
      { path: '/user_id', message: 'is required' },
      { path: '/a~1b', message: 'is not allowed' },
      { path: '/name', message: 'must not be empty' },
      { path: '/name', message: 'must contain a visible character and no control characters' },
      { path: '/email', message: 'must be a valid email address' },
      { path: '/delta', message: 'must not be 0' },
      { path: '/sequence', message: 'must be a whole number' },
    ]);
  });

  it('falls back to the pattern itself when a schema has no description', () => {
    const validate = createAjv().compile({ type: 'string', pattern: '^a+$' });
    expect(validate('b')).toBe(false);
    expect(describeErrors(validate.errors)).toEqual(['/ must match pattern "^a+$"']);
  });
});
