import type { UserEvent } from '@users/shared';
import { MAX_BALANCE } from './decide';
import { given } from './decider-spec';

const created: UserEvent = {
  type: 'USER_CREATED',
  payload: { name: 'Alice', email: 'alice@example.com' },
};
const deposit = (delta: number): UserEvent => ({ type: 'USER_BALANCE', payload: { delta } });
const deleted: UserEvent = { type: 'USER_DELETED', payload: {} };
const update = (payload: { name?: string; email?: string }): UserEvent =>
  ({ type: 'USER_UPDATED', payload }) as UserEvent;

describe('USER_CREATED', () => {
  it('creates a user that does not exist', () => {
    given([]).when(created).then([created]);
  });
  it('refuses to create an existing user', () => {
    given([created]).when(created).thenRefuses('USER_ALREADY_EXISTS');
  });
  it('refuses to recreate a deleted user', () => {
    given([created, deleted]).when(created).thenRefuses('USER_DELETED');
  });
});

describe('USER_BALANCE', () => {
  it('accepts a deposit and a withdrawal that keeps the balance at or above 0', () => {
    given([created])
      .when(deposit(50))
      .then([deposit(50)]);
    given([created, deposit(50)])
      .when(deposit(-50))
      .then([deposit(-50)]);
  });
  it('refuses a withdrawal below 0', () => {
    given([created, deposit(50)])
      .when(deposit(-51))
      .thenRefuses('INSUFFICIENT_BALANCE');
    given([created]).when(deposit(-1)).thenRefuses('INSUFFICIENT_BALANCE');
  });
  it('refuses a balance beyond the exact integer range', () => {
    const nearLimit = [created, deposit(MAX_BALANCE - 1)];
    given(nearLimit)
      .when(deposit(1))
      .then([deposit(1)]);
    given(nearLimit).when(deposit(2)).thenRefuses('BALANCE_LIMIT');
  });
  it('refuses an unknown user and a deleted one', () => {
    given([]).when(deposit(1)).thenRefuses('USER_NOT_FOUND');
    given([created, deleted]).when(deposit(1)).thenRefuses('USER_DELETED');
  });
});

describe('USER_UPDATED', () => {
  it('records only the fields that change', () => {
    given([created])
      .when(update({ name: 'Alice', email: 'alice@new.example' }))
      .then([update({ email: 'alice@new.example' })]);
    given([created, update({ name: 'Al' })])
      .when(update({ name: 'Alice' }))
      .then([update({ name: 'Alice' })]);
  });
  it('records nothing when nothing changes', () => {
    given([created])
      .when(update({ name: 'Alice' }))
      .then([]);
    given([created, update({ email: 'a@b.example' })])
      .when(update({ email: 'a@b.example' }))
      .then([]);
  });
  it('refuses an unknown user and a deleted one', () => {
    given([])
      .when(update({ name: 'Bob' }))
      .thenRefuses('USER_NOT_FOUND');
    given([created, deleted])
      .when(update({ name: 'Bob' }))
      .thenRefuses('USER_DELETED');
  });
});

describe('USER_DELETED', () => {
  it('deletes an active user, whatever the balance', () => {
    given([created, deposit(10)])
      .when(deleted)
      .then([deleted]);
  });
  it('refuses an unknown user and a second delete', () => {
    given([]).when(deleted).thenRefuses('USER_NOT_FOUND');
    given([created, deleted]).when(deleted).thenRefuses('USER_DELETED');
  });
});

describe('USER_ERASED', () => {
  const erased: UserEvent = { type: 'USER_ERASED', payload: {} };
  it('erases an active user, or a deleted one', () => {
    given([created, deposit(10)])
      .when(erased)
      .then([erased]);
    given([created, deleted]).when(erased).then([erased]);
  });
  it('refuses an unknown user and a second erasure', () => {
    given([]).when(erased).thenRefuses('USER_NOT_FOUND');
    given([created, erased]).when(erased).thenRefuses('USER_ERASED');
  });
  it('refuses every command on an erased user', () => {
    for (const command of [created, deposit(1), update({ name: 'B' }), deleted]) {
      given([created, erased]).when(command).thenRefuses('USER_ERASED');
    }
  });
});

describe('erasure with a grace period', () => {
  // EXAMPLE_CONTEXT: 2026-12-01T12:00Z, 30 days.
  const due = '2026-12-31T12:00:00.000Z';
  const erased: UserEvent = { type: 'USER_ERASED', payload: {} };
  const request = { type: 'USER_ERASURE_REQUESTED', payload: {} } as const;
  const cancel = { type: 'USER_ERASURE_CANCELLED', payload: {} } as const;
  const requested = (eraseAfter: string): UserEvent => ({
    type: 'USER_ERASURE_REQUESTED',
    payload: { erase_after: eraseAfter },
  });
  const cancelled: UserEvent = { type: 'USER_ERASURE_CANCELLED', payload: { erase_after: due } };
  const carryOut = (eraseAfter: string) =>
    ({ type: 'CARRY_OUT_ERASURE', payload: { erase_after: eraseAfter } }) as const;
  const at = (iso: string) => ({ now: new Date(iso) });

  it('requests an erasure due after the grace period, for an active or a deleted user', () => {
    given([created])
      .when(request)
      .then([requested(due)]);
    given([created, deleted])
      .when(request)
      .then([requested(due)]);
  });
  it('erases at once when the grace period is 0', () => {
    given([created], { erasureGraceSeconds: 0 }).when(request).then([erased]);
  });
  it('refuses a request for an unknown, an erased or an already pending user', () => {
    given([]).when(request).thenRefuses('USER_NOT_FOUND');
    given([created, erased]).when(request).thenRefuses('USER_ERASED');
    given([created, requested(due)])
      .when(request)
      .thenRefuses('ERASURE_PENDING');
  });
  it('refuses every command but the cancellation while the erasure is pending', () => {
    for (const command of [created, deposit(1), update({ name: 'B' }), deleted]) {
      given([created, deposit(5), requested(due)])
        .when(command)
        .thenRefuses('ERASURE_PENDING');
    }
    given([created, requested(due)])
      .when(cancel)
      .then([cancelled]);
  });
  it('lets an administrator bring the erasure forward', () => {
    given([created, requested(due)])
      .when(erased)
      .then([erased]);
  });
  it('cancels a pending erasure only: the user is as before, balance and all', () => {
    given([created, deposit(5), requested(due), cancelled])
      .when(deposit(-5))
      .then([deposit(-5)]);
    given([created, deleted, requested(due), cancelled])
      .when(deposit(1))
      .thenRefuses('USER_DELETED');
    given([created]).when(cancel).thenRefuses('ERASURE_NOT_PENDING');
    given([created, requested(due), cancelled])
      .when(cancel)
      .thenRefuses('ERASURE_NOT_PENDING');
    given([]).when(cancel).thenRefuses('USER_NOT_FOUND');
  });
  it('carries out the erasure that is due, once: a second or late firing stores nothing', () => {
    given([created, requested(due)], at(due))
      .when(carryOut(due))
      .then([erased]);
    given([created, requested(due)], at('2027-03-01T00:00:00Z'))
      .when(carryOut(due))
      .then([erased]);
    given([created, requested(due), erased], at(due))
      .when(carryOut(due))
      .then([]);
  });
  it('never carries out a cancelled request, nor an earlier one asked again', () => {
    given([created, requested(due), cancelled], at(due))
      .when(carryOut(due))
      .thenRefuses('ERASURE_NOT_PENDING');
    const later = '2027-01-15T00:00:00.000Z';
    given([created, requested(due), cancelled, requested(later)], at(due))
      .when(carryOut(due))
      .thenRefuses('ERASURE_NOT_PENDING');
    given([created], at(due)).when(carryOut(due)).thenRefuses('ERASURE_NOT_PENDING');
  });
  it('refuses a firing before its due time even when no request is stored yet: tried again, never taken as called off', () => {
    given([created], at('2026-12-31T11:59:00.000Z'))
      .when(carryOut(due))
      .thenRefuses('ERASURE_PENDING');
  });
  it('never erases before the request is due', () => {
    given([created, requested(due)], at('2026-12-31T11:59:59.999Z'))
      .when(carryOut(due))
      .thenRefuses('ERASURE_PENDING');
  });
});
