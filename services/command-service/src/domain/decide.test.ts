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
