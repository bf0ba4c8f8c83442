/**
 * Why the business rules refuse a command: plain codes that know nothing of HTTP (the edge maps
 * each to a status in one table).
 */
export type RuleViolation =
  | 'USER_ALREADY_EXISTS'
  | 'USER_NOT_FOUND'
  | 'USER_DELETED'
  | 'USER_ERASED'
  | 'INSUFFICIENT_BALANCE'
  | 'BALANCE_LIMIT';

export class CommandRefused extends Error {
  constructor(
    readonly code: RuleViolation,
    readonly details: Record<string, number> = {},
  ) {
    super(code);
    this.name = 'CommandRefused';
  }
}
