import { type DecodedEvent, isUnknownEvent } from '@users/shared';

/** The read model behind GET /detail; `version` is the last event applied to it. */
export type UserDetail = {
  userId: string;
  /** Null once the user is erased (or when read after the erasure took the key). */
  name: string | null;
  email: string | null;
  balance: number;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** When the balance last changed (projection version 2 on: projections/versions.ts). */
  balanceUpdatedAt?: string;
  /**
   * While the user's erasure waits out its grace period: when it is due (ISO 8601). Every
   * projection version holds it (projections/versions.ts).
   */
  erasurePendingUntil?: string;
  /** Deleted users keep a tombstone so that late or repeated events cannot resurrect them. */
  deleted: boolean;
  /** Erased users keep a tombstone too, without any personal data. */
  erased: boolean;
};

export class ProjectionError extends Error {}

/**
 * A user hidden ahead of its erasure before anything of it was applied: nothing applied
 * (version 0), nothing personal, and whatever is applied later stays erased.
 */
export const erasedPlaceholder = (userId: string): UserDetail => ({
  userId,
  name: null,
  email: null,
  balance: 0,
  version: 0,
  createdAt: '',
  updatedAt: '',
  deleted: false,
  erased: true,
});

/** The detail without a pending erasure: cancelled, or carried out. */
const withoutPendingErasure = ({ erasurePendingUntil: _, ...detail }: UserDetail): UserDetail =>
  detail;

/** The detail after one more event; an event of an unknown type only moves its version on. */
export const evolveDetail = (detail: UserDetail | null, event: DecodedEvent): UserDetail => {
  if (!isUnknownEvent(event) && event.type === 'USER_CREATED') {
    const created = {
      userId: event.userId,
      name: event.payload.name,
      email: event.payload.email,
      balance: 0,
      version: event.version,
      createdAt: event.occurredAt,
      updatedAt: event.occurredAt,
      deleted: false,
      erased: false,
    };
    // Hidden ahead of its erasure before anything of the user was applied (a placeholder).
    return detail?.erased ? { ...created, name: null, email: null, erased: true } : created;
  }
  if (!detail) {
    throw new ProjectionError(`${event.type} at version ${event.version} before USER_CREATED`);
  }
  if (isUnknownEvent(event)) return { ...detail, version: event.version };
  const applied = { ...detail, version: event.version, updatedAt: event.occurredAt };
  switch (event.type) {
    case 'USER_BALANCE':
      return {
        ...applied,
        balance: detail.balance + event.payload.delta,
        balanceUpdatedAt: event.occurredAt,
      };
    case 'USER_UPDATED':
      // Marked erased ahead of its erasure (markErased): personal data never comes back.
      return detail.erased ? applied : { ...applied, ...event.payload };
    case 'USER_DELETED':
      return { ...applied, deleted: true };
    case 'USER_ERASED':
      return {
        ...withoutPendingErasure(applied),
        name: null,
        email: null,
        deleted: true,
        erased: true,
      };
    // Neither changes what the user is (active or deleted, their data, their balance), only
    // whether an erasure is waiting. Like every event, each is applied once, in version order
    // (the checkpoint skips a redelivered one), so the cancellation follows the request it calls
    // off. Set on a user marked erased ahead of its erasure too, as a rebuild's fold sets it: the
    // erasure that follows clears it in both.
    case 'USER_ERASURE_REQUESTED':
      return { ...applied, erasurePendingUntil: event.payload.erase_after };
    case 'USER_ERASURE_CANCELLED':
      return withoutPendingErasure(applied);
  }
};
