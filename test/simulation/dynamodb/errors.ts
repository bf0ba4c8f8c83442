/**
 * An error as DynamoDB answers it: `name` is the exception's name in the JSON protocol's
 * `__type`, `fields` the extra members of the error body (`Item`, `CancellationReasons`).
 */
export class DynamoDBError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const validationError = (message: string) =>
  new DynamoDBError('ValidationException', message);

/**
 * A ValidationException about one item rather than the request: inside a transaction it
 * cancels it, with reason ValidationError for that item (as DynamoDB Local does).
 */
export class ItemValidationError extends DynamoDBError {
  constructor(message: string) {
    super('ValidationException', message);
  }
}

export const tableNotFound = (table: string) =>
  new DynamoDBError(
    'ResourceNotFoundException',
    `Requested resource not found: Table: ${table} not found`,
  );

export const CONDITION_FAILED_MESSAGE = 'The conditional request failed';
