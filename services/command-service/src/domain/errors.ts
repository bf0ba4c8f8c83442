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
  | 'BALANCE_LIMIT'
  /**
   * The user asked to be erased: only a cancellation (or an administrator's erasure) is taken,
   * and the scheduled erasure not before it is due.
   */
  | 'ERASURE_PENDING'
  /** A cancellation, or a scheduled erasure, with no pending erasure (or another one) to act on. */
  | 'ERASURE_NOT_PENDING';

export class CommandRefused extends Error {
  constructor(
    readonly code: RuleViolation,
    readonly details: Record<string, number> = {},
  ) {
    super(code);
    this.name = 'CommandRefused';
  }
}
