import { ConflictError, GoneError, NotFoundError, UnprocessableError } from '@users/shared/http';

export class UserAlreadyExistsError extends ConflictError {
  constructor() {
    super('User already exists');
  }
}

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('User ID not found');
  }
}

export class UserDeletedError extends GoneError {
  constructor() {
    super('User has been deleted');
  }
}

export class InsufficientBalanceError extends UnprocessableError {
  constructor(balance: number, delta: number) {
    super('Balance cannot go below 0', { balance, delta });
  }
}

export class BalanceLimitError extends UnprocessableError {
  constructor(balance: number, delta: number) {
    super('Balance cannot exceed 9007199254740991', { balance, delta });
  }
}
