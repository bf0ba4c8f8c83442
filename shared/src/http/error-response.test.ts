import { NewerSchemaVersionError } from '../events/errors';
import { errorResponseBody } from './error-response';
import { HttpError } from './errors';

describe('error responses', () => {
  it('answers 503 for an event a newer release wrote: retry once the code is updated', () => {
    expect(errorResponseBody(new NewerSchemaVersionError(3))).toEqual({
      statusCode: 503,
      message: expect.stringMatching(/newer release/),
      body: { message: expect.stringMatching(/newer release/) },
      headers: { 'retry-after': '60' },
    });
  });

  it('renders an HTTP error with its details, and leaves anything else to become a 500', () => {
    expect(
      errorResponseBody(new HttpError(409, 'Version conflict', { current_version: 2 })),
    ).toEqual({
      statusCode: 409,
      message: 'Version conflict',
      body: { message: 'Version conflict', current_version: 2 },
    });
    expect(errorResponseBody(new Error('boom'))).toBeUndefined();
  });

  it('answers 503 with Retry-After when AWS is throttling, never 500', () => {
    const throttled = [
      Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }),
      Object.assign(new Error('slow down'), { name: 'ThrottlingException' }),
      Object.assign(new Error('in flight'), { name: 'TransactionConflictException' }),
      Object.assign(new Error('in progress'), { name: 'TransactionInProgressException' }),
      Object.assign(new Error('cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
      }),
    ];
    for (const error of throttled) {
      expect(errorResponseBody(error)).toEqual({
        statusCode: 503,
        message: expect.any(String),
        body: { message: expect.any(String) },
        headers: { 'retry-after': '1' },
      });
    }
    const conditional = Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
    });
    expect(errorResponseBody(conditional)).toBeUndefined();
  });
});
