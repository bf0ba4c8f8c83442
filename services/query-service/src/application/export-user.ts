import { type DataKeys, type DecodedEvent, isUnknownEvent, PERSONAL_FIELDS } from '@users/shared';
import type { Caller } from '@users/shared/http';
import type { ProjectionVersion, UserDetail } from '../projections';

export type ExportedEvent = {
  sequence: number;
  event_type: string;
  /** Opened; personal fields null once the user is erased. Absent for a type this reader lacks. */
  payload?: Record<string, unknown>;
  occurred_at?: string;
  event_id?: string;
  correlation_id?: string;
};

/** One event of the store as the subject receives it: everything it records, opened. */
export const exportedEvent = (event: DecodedEvent): ExportedEvent =>
  isUnknownEvent(event)
    ? { sequence: event.version, event_type: event.type }
    : {
        sequence: event.version,
        event_type: event.type,
        payload: event.payload as Record<string, unknown>,
        occurred_at: event.occurredAt,
        event_id: event.eventId,
        correlation_id: event.correlationId,
      };

export type ReadModelHolding = {
  read_model: 'user-detail' | 'user-history';
  projection_version: ProjectionVersion;
  /** The fields it holds of the user, personal ones only where they are readable. */
  fields: string[];
};

/**
 * What the live read models hold of the user: the detail's fields (its personal ones only while
 * readable, a pending erasure only while pending), and the history, one entry per event applied,
 * each with its payload.
 */
export const readModelHoldings = (
  detail: UserDetail | null,
  version: ProjectionVersion,
): ReadModelHolding[] => {
  if (!detail) return [];
  const personal = PERSONAL_FIELDS.filter((field) => detail[field] !== null);
  return [
    {
      read_model: 'user-detail',
      projection_version: version,
      fields: [
        ...personal,
        'balance',
        'version',
        'created_at',
        'updated_at',
        'deleted',
        'erased',
        ...(detail.erasurePendingUntil === undefined ? [] : ['erasure_pending_until']),
      ],
    },
    {
      read_model: 'user-history',
      projection_version: version,
      fields: ['sequence', 'event_type', 'payload', 'occurred_at', 'detail_after'],
    },
  ];
};

/**
 * The user's profile as the live detail holds it, personal fields null once erased, and the
 * erasure still pending only until it is carried out (a read model behind the store may lag).
 */
export const exportedProfile = (detail: UserDetail | null) =>
  detail && {
    name: detail.erased ? null : detail.name,
    email: detail.erased ? null : detail.email,
    balance: detail.balance,
    version: detail.version,
    created_at: detail.createdAt,
    updated_at: detail.updatedAt,
    deleted: detail.deleted,
    ...(!detail.erased &&
      detail.erasurePendingUntil !== undefined && {
        erasure_pending_until: detail.erasurePendingUntil,
      }),
  };

export type ExportRecord = {
  userId: string;
  exportId: string;
  exportedAt: string;
  /** The caller's subject (a user id or an administrator's), never a name or an email. */
  requestedBy: string;
  byAdministrator: boolean;
};

/** Where a paged export stands: which export, the next version to send, until when it may go on. */
export type ExportCursor = { exportId: string; exportedAt: string; from: number; until: number };

/** How long an export's pages may be read after its first: long enough for 100 pages and more. */
export const EXPORT_CURSOR_MS = 60 * 60 * 1000;

/** A decoded token's key, if it is an export's cursor that has not run out (else undefined). */
export const exportCursorOf = (
  key: Record<string, unknown>,
  now: number,
): ExportCursor | undefined => {
  const { exportId, exportedAt, from, until } = key;
  const valid =
    typeof exportId === 'string' &&
    typeof exportedAt === 'string' &&
    Number.isInteger(from) &&
    (from as number) >= 1 &&
    typeof until === 'number' &&
    now < until;
  return valid ? { exportId, exportedAt, from: from as number, until } : undefined;
};

export type ExportPorts = {
  /** The event store, read-only: consistent reads of the user's items. */
  events: {
    newest(userId: string): Promise<StoredItem | undefined>;
    eventsOf(userId: string, fromVersion: number, limit: number): Promise<StoredItem[]>;
  };
  keys: Pick<DataKeys, 'read'>;
  decode: (item: StoredItem, keys: Pick<DataKeys, 'read'>) => Promise<DecodedEvent>;
  /** The live projection version and the user's detail there (read for the first page only). */
  live: (userId: string) => Promise<{ version: ProjectionVersion; detail: UserDetail | null }>;
  log: { record(entry: ExportRecord): Promise<void> };
};
type StoredItem = Record<string, unknown>;

/** What an erased user's events are opened with: no key, as after the shredding. */
const NO_KEYS: Pick<DataKeys, 'read'> = { read: async () => undefined };

/** An erased user's payload: every personal field null, sealed or (schema 1) in the clear. */
const withoutPersonalData = (event: ExportedEvent): ExportedEvent =>
  event.payload
    ? {
        ...event,
        payload: Object.fromEntries(
          Object.entries(event.payload).map(([field, value]) => [
            field,
            (PERSONAL_FIELDS as readonly string[]).includes(field) ? null : value,
          ]),
        ),
      }
    : event;

/**
 * One page of a subject's export (GDPR Art. 15 and 20): from the event store, the source of
 * truth, every event opened, in version order; the first page also says what the live read
 * models hold and records the export. Null for a user the store has never held. An erased user's
 * export says so and opens nothing (USER_ERASED is always a user's last event).
 */
export const exportPage = async (
  ports: ExportPorts,
  request: { userId: string; limit: number; caller: Caller; cursor?: ExportCursor },
  newExport: () => { exportId: string; exportedAt: string; until: number },
) => {
  const { userId, limit, caller, cursor } = request;
  const from = cursor?.from ?? 1;
  const [items, live, newestBefore] = await Promise.all([
    ports.events.eventsOf(userId, from, limit),
    cursor ? undefined : ports.live(userId),
    ports.events.newest(userId),
  ]);
  // An erased user's events are not opened at all (a warm function may still hold the key).
  const erasedBefore = newestBefore?.EventType === 'USER_ERASED';
  const decoded = await Promise.all(
    items.map((item) => ports.decode(item, erasedBefore ? NO_KEYS : ports.keys)),
  );
  // Judged again after opening (USER_ERASED is always last, so an erased user needs no second
  // look): an erasure committed while the page was read or opened is the newest event by now,
  // and nothing of it is given.
  const newest = erasedBefore ? newestBefore : await ports.events.newest(userId);
  if (!newest) return null;
  const erased = newest.EventType === 'USER_ERASED';
  const events = decoded.map((event) =>
    erased ? withoutPersonalData(exportedEvent(event)) : exportedEvent(event),
  );
  const started = cursor ?? { ...newExport(), from };
  const last = events.at(-1)?.sequence ?? from - 1;
  const next = last < Number(newest.Sequence) ? { ...started, from: last + 1 } : undefined;
  if (!cursor) {
    await ports.log.record({
      userId,
      exportId: started.exportId,
      exportedAt: started.exportedAt,
      requestedBy: caller.subject,
      byAdministrator: caller.admin,
    });
  }
  return {
    body: {
      user_id: userId,
      export_id: started.exportId,
      exported_at: started.exportedAt,
      erased,
      ...(live && {
        profile: exportedProfile(
          live.detail && (erased ? { ...live.detail, erased } : live.detail),
        ),
        read_models: readModelHoldings(live.detail, live.version),
      }),
      events,
    },
    next,
  };
};
