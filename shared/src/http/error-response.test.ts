import { NewerSchemaVersionError } from '../events/errors';
import { type CarriedFields, carriedBy, ERROR_CODE_LIST, ERROR_CODES } from './error-codes';
import { errorResponseBody, UNEXPECTED_ERROR } from './error-response';
import { HttpError, UserNotFoundError } from './errors';

/** A value of each field an error may carry. */
const CARRIED: CarriedFields = {
  errors: ['/body/payload/delta must not be 0'],
  fields: [{ path: '/body/payload/delta', message: 'must not be 0' }],
  current_version: 2,
  min_version: 3,
  balance: 10,
  delta: -11,
};

describe('error responses', () => {
  it('answers 503 for an event a newer release wrote: retry once the code is updated', () => {
    const message = "This user's events were written by a newer release; try again later";
    expect(errorResponseBody(new NewerSchemaVersionError(3))).toEqual({
      statusCode: 503,
      body: {
        message,
        code: 'NEWER_RELEASE',
        type: 'https://github.com/users-cqrs/errors#NEWER_RELEASE',
        title: 'Newer release',
        status: 503,
        detail: message,
      },
      headers: { 'retry-after': '60' },
    });
  });

  it.each(ERROR_CODE_LIST)('renders %s with its status, title, type and fields', (code) => {
    const { status, title } = ERROR_CODES[code];
    const carried = Object.fromEntries(carriedBy(code).map((field) => [field, CARRIED[field]]));
    const rendered = errorResponseBody(new HttpError(code, 'What went wrong', carried as never));
    expect(rendered).toEqual({
      statusCode: status,
      body: {
        message: 'What went wrong',
        code,
        type: `https://github.com/users-cqrs/errors#${code}`,
        title,
        status,
        detail: 'What went wrong',
        ...carried,
      },
    });
  });

  it("sends an HTTP error's headers: a read not caught up yet is retried after Retry-After", () => {
    const notReached = new HttpError(
      'VERSION_NOT_REACHED',
      'Version 5 not reached yet',
      { min_version: 5, current_version: 4 },
      { 'retry-after': '1' },
    );
    expect(errorResponseBody(notReached)).toMatchObject({
      statusCode: 409,
      body: {
        code: 'VERSION_NOT_REACHED',
        title: 'Not reached yet',
        min_version: 5,
        current_version: 4,
      },
      headers: { 'retry-after': '1' },
    });
  });

  it("keeps the original API's answers: each is a part of the new one", () => {
    expect(errorResponseBody(new UserNotFoundError())).toMatchObject({
      statusCode: 404,
      body: { message: 'User ID not found' },
    });
    expect(
      errorResponseBody(
        new HttpError('VERSION_CONFLICT', 'Version conflict', { current_version: 3 }),
      ),
    ).toMatchObject({
      statusCode: 409,
      body: { message: 'Version conflict', code: 'VERSION_CONFLICT', current_version: 3 },
    });
    expect(
      errorResponseBody(
        new HttpError('INSUFFICIENT_BALANCE', 'Balance cannot go below 0', {
          balance: 10,
          delta: -11,
        }),
      ),
    ).toMatchObject({
      statusCode: 422,
      body: {
        message: 'Balance cannot go below 0',
        code: 'INSUFFICIENT_BALANCE',
        balance: 10,
        delta: -11,
      },
    });
  });

  it('leaves anything else to become a 500 INTERNAL_ERROR that tells nothing of it', () => {
    const failure = new Error('DynamoDB at http://10.0.0.7 refused');
    expect(errorResponseBody(failure)).toBeUndefined();
    // Another library's error with a statusCode of its own is not the caller's to read either.
    const foreign = Object.assign(new Error('upstream at http://10.0.0.7 said 404'), {
      statusCode: 404,
    });
    expect(errorResponseBody(foreign)).toBeUndefined();
    expect(UNEXPECTED_ERROR).toEqual({
      statusCode: 500,
      body: {
        message: 'Internal server error',
        code: 'INTERNAL_ERROR',
        type: 'https://github.com/users-cqrs/errors#INTERNAL_ERROR',
        title: 'Internal error',
        status: 500,
        detail: 'Internal server error',
      },
    });
    expect(JSON.stringify(UNEXPECTED_ERROR)).not.toMatch(/stack|10\.0\.0\.7/);
  });

  it('answers 500 OUTCOME_UNKNOWN, never "try again", for a write whose outcome is unknown', () => {
    const unknown = Object.assign(new Error('lost'), { name: 'WriteOutcomeUnknown' });
    expect(errorResponseBody(unknown)).toEqual({
      statusCode: 500,
      body: expect.objectContaining({ code: 'OUTCOME_UNKNOWN', status: 500 }),
    });
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
      // An erasure request whose schedule could not be made: nothing stored.
      Object.assign(new Error('not scheduled'), { name: 'ErasureNotScheduled' }),
    ];
    for (const error of throttled) {
      expect(errorResponseBody(error)).toEqual({
        statusCode: 503,
        body: expect.objectContaining({
          message: 'The service is busy; try again shortly',
          code: 'SERVICE_BUSY',
          title: 'Service busy',
          status: 503,
        }),
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
