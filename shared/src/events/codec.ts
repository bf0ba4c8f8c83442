import type { DataKeys } from '../personal-data/data-keys';
import { isSealed, openField, type SealedField, sealField } from '../personal-data/field-cipher';
import { describeErrors, type Validator } from '../validation';
import { InvalidEventError, NewerSchemaVersionError } from './errors';
import {
  PERSONAL_FIELDS,
  SCHEMA_VERSION,
  type SchemaVersion,
  schemaVersionOf,
  storedPayloadSchemas,
} from './schemas';
import { validateStoredEventV1, validateStoredEventV3 } from './stored-event.validators.generated';
import type { ReadEvent, RecordedEvent } from './types';

/**
 * How an event is laid out in the event store table (and therefore in its stream's NEW_IMAGE).
 * Only this module reads or writes these attribute names; everyone else gets a ReadEvent.
 */
export type EventItem = {
  AggregateID: string;
  Sequence: number;
  EventType: string;
  /** JSON text, as in the original app: exact numbers, and no empty-map quirks in stream images. */
  Payload: string;
  EventId: string;
  OccurredAt: string;
  CorrelationId: string;
  SchemaVersion: number;
  /** The writer's snapshot of the user after this event, personal fields sealed like the payload. */
  State: Record<string, unknown>;
  StateVersion: number;
  /**
   * For each sealed field of State, the version that sealed it (its additional data), when not
   * this item's own: a field no command changed is carried forward sealed as it was, so that a
   * command that touches no personal data needs no data key. Absent: every field sealed here.
   */
  StateSealedAt?: Record<string, number>;
};

/** A snapshot's sealed personal fields as found in the head, to be carried forward unopened. */
export type SealedSnapshotFields = {
  fields: Record<string, SealedField>;
  sealedAt: Record<string, number>;
};

/** An event of a type this reader does not know (a newer writer's): only its position is read. */
export type UnknownEvent = { unknown: true; userId: string; version: number; type: string };

export type DecodedEvent = ReadEvent | UnknownEvent;

export const isUnknownEvent = (event: DecodedEvent): event is UnknownEvent => 'unknown' in event;

type Check = (candidate: { type: unknown; schemaVersion: number }) => string[] | undefined;

/** What a generated validator says of a candidate: nothing when it holds. */
const checkWith =
  (validate: Validator<unknown>): Check =>
  (candidate) =>
    validate(candidate) ? undefined : describeErrors(validate.errors);

const checkV3 = checkWith(validateStoredEventV3 as Validator<unknown>);

/**
 * Schema 3 only added types to schema 2, every other payload the very same schema
 * (codec.test.ts holds them equal): an event of schema 2 is one of schema 3 of a schema-2 type.
 * One generated validator for both keeps 30 KB out of every bundle that decodes events.
 */
const checkV2: Check = (candidate) => {
  if (!(String(candidate.type) in storedPayloadSchemas[2])) {
    return [`/type must be one of ${Object.keys(storedPayloadSchemas[2]).join(', ')}`];
  }
  return checkV3({ ...candidate, schemaVersion: 3 });
};

const storedEventChecks: Record<SchemaVersion, Check> = {
  1: checkWith(validateStoredEventV1 as Validator<unknown>),
  2: checkV2,
  3: checkV3,
};

/**
 * From each version to the next, on decoded events. Schema 2 changed how personal fields are
 * stored (sealed), not what they mean: its decoded events are schema 1's. Schema 3 only added
 * types.
 */
const upcasters: Record<SchemaVersion, ((event: ReadEvent) => ReadEvent) | undefined> = {
  1: (event) => ({ ...event, schemaVersion: 2 }),
  2: (event) => ({ ...event, schemaVersion: 3 }),
  3: undefined,
};

export const upcast = (event: ReadEvent): ReadEvent => {
  let current = event;
  for (let next = upcasters[current.schemaVersion as SchemaVersion]; next; ) {
    current = next(current);
    next = upcasters[current.schemaVersion as SchemaVersion];
  }
  return current;
};

type Fields = Record<string, unknown>;

/** Seals the personal fields found in `fields`, each bound to its place (user, version, path). */
export const sealPersonalFields = <T extends Fields>(
  fields: T,
  key: Buffer,
  { userId, version, prefix }: { userId: string; version: number; prefix: string },
): T =>
  Object.fromEntries(
    Object.entries(fields).map(([field, value]) =>
      (PERSONAL_FIELDS as readonly string[]).includes(field) && typeof value === 'string'
        ? [field, sealField(key, value, { userId, version, path: `${prefix}.${field}` })]
        : [field, value],
    ),
  ) as T;

/** Opens sealed personal fields; with no key (the user was erased) they read as null. */
export const openPersonalFields = (
  fields: Fields,
  key: Buffer | undefined,
  { userId, version, prefix }: { userId: string; version: number; prefix: string },
): Fields =>
  Object.fromEntries(
    Object.entries(fields).map(([field, value]) => {
      if (!isSealed(value)) return [field, value];
      return [
        field,
        key ? openField(key, value, { userId, version, path: `${prefix}.${field}` }) : null,
      ];
    }),
  );

const hasPersonalData = (fields: Fields) =>
  PERSONAL_FIELDS.some((field) => typeof fields[field] === 'string');

/** The snapshot's personal fields still exactly as they were carried in: sealed, unopened. */
const carriedFields = (state: Fields, carried: SealedSnapshotFields | undefined) =>
  PERSONAL_FIELDS.filter(
    (field) => carried?.fields[field] !== undefined && state[field] === carried.fields[field],
  );

/**
 * Whether encoding this event needs the user's data key: its payload holds personal data, or the
 * snapshot holds personal data that is not carried forward sealed as it was.
 */
export const needsDataKey = (
  event: RecordedEvent,
  state: Fields,
  carried?: SealedSnapshotFields,
) => {
  const kept = carriedFields(state, carried);
  return (
    hasPersonalData(event.payload) ||
    PERSONAL_FIELDS.some((field) => typeof state[field] === 'string' && !kept.includes(field))
  );
};

/**
 * The item for an event, in the newest schema: personal fields of the payload and of the
 * writer's snapshot sealed under the user's data key (required when there are any), except the
 * snapshot's fields carried forward sealed as they were, with the version that sealed them.
 */
export const encodeEvent = (
  event: RecordedEvent,
  snapshot: { state: Fields; stateVersion: number; carried?: SealedSnapshotFields },
  key: Buffer | undefined,
): EventItem => {
  const place = { userId: event.userId, version: event.version };
  const seal = (fields: Fields, prefix: string) => {
    if (!hasPersonalData(fields)) return fields;
    if (!key) throw new Error(`No data key to seal ${event.userId}'s personal data`);
    return sealPersonalFields(fields, key, { ...place, prefix });
  };
  const kept = carriedFields(snapshot.state, snapshot.carried);
  const fresh = Object.fromEntries(
    Object.entries(snapshot.state).filter(([field]) => !kept.includes(field as never)),
  );
  const sealedAt = Object.fromEntries(
    kept.map((field) => [field, snapshot.carried?.sealedAt[field] as number]),
  );
  return {
    AggregateID: event.userId,
    Sequence: event.version,
    EventType: event.type,
    Payload: JSON.stringify(seal(event.payload, 'payload')),
    EventId: event.eventId,
    OccurredAt: event.occurredAt,
    CorrelationId: event.correlationId,
    SchemaVersion: schemaVersionOf(event.type),
    State: { ...seal(fresh, 'state'), ...pick(snapshot.state, kept) },
    StateVersion: snapshot.stateVersion,
    ...(kept.length > 0 && { StateSealedAt: sealedAt }),
  };
};

const pick = (fields: Fields, names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, fields[name]]));

/** Whose event an item is and where it stands, for grouping and logs, without decoding it. */
export const eventPosition = (item: Record<string, unknown>) => ({
  userId: item.AggregateID as string,
  version: item.Sequence as number,
});

const parsePayload = (payload: unknown): unknown => {
  if (typeof payload !== 'string') return payload;
  try {
    return JSON.parse(payload);
  } catch {
    throw new InvalidEventError(['/payload is not valid JSON']);
  }
};

/**
 * The one decode step every reader uses (command decisions, projector, rebuild): checks an item
 * from the store or its stream against the schema of its version, opens its personal fields
 * with the user's data key (null once erased), and upcasts it to the newest version. The reader
 * trusts nothing: a record that does not match is rejected rather than corrupting a read model.
 */
export const decodeEvent = async (
  item: Record<string, unknown>,
  keys: Pick<DataKeys, 'read'>,
): Promise<DecodedEvent> => {
  const schemaVersion = item.SchemaVersion as SchemaVersion;
  if (typeof schemaVersion === 'number' && schemaVersion > SCHEMA_VERSION) {
    throw new NewerSchemaVersionError(schemaVersion);
  }
  const types = storedPayloadSchemas[schemaVersion];
  if (!types) throw new InvalidEventError([`/schemaVersion ${String(schemaVersion)} is unknown`]);
  if (!(String(item.EventType) in types)) {
    return { unknown: true, ...eventPosition(item), type: String(item.EventType) };
  }
  const candidate = {
    userId: item.AggregateID,
    version: item.Sequence,
    type: item.EventType,
    payload: parsePayload(item.Payload),
    eventId: item.EventId,
    occurredAt: item.OccurredAt,
    correlationId: item.CorrelationId,
    schemaVersion,
  };
  const errors = storedEventChecks[schemaVersion](candidate);
  if (errors) throw new InvalidEventError(errors);
  const stored = candidate as ReadEvent;
  // Schema 1 kept personal fields in the clear, whatever they look like.
  if (schemaVersion < 2) return upcast(stored);
  const payload = stored.payload as Fields;
  const key = Object.values(payload).some(isSealed) ? await keys.read(stored.userId) : undefined;
  const opened = openPersonalFields(payload, key, { ...stored, prefix: 'payload' });
  return upcast({ ...stored, payload: opened } as ReadEvent);
};

/**
 * Where each sealed field of an item's snapshot was sealed: its recorded version, never one after
 * the item itself (a field cannot have been sealed by a later event), or the item's own.
 */
const snapshotSealedAt = (item: Record<string, unknown>) => {
  const { userId, version } = eventPosition(item);
  const recorded = (item.StateSealedAt ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    PERSONAL_FIELDS.map((field) => {
      const at = recorded[field] ?? version;
      if (!Number.isInteger(at) || (at as number) < 1 || (at as number) > version) {
        throw new InvalidEventError([`/State/${field} of ${userId}@${version} sealed at ${at}`]);
      }
      return [field, at as number];
    }),
  );
};

/** The sealed personal fields of an item's snapshot, as they are, to be carried forward. */
export const sealedSnapshotFields = (item: Record<string, unknown>): SealedSnapshotFields => {
  const state = (item.State ?? {}) as Fields;
  const sealedAt = snapshotSealedAt(item);
  const fields = Object.fromEntries(
    PERSONAL_FIELDS.filter((field) => isSealed(state[field])).map((field) => [
      field,
      state[field] as SealedField,
    ]),
  );
  return { fields, sealedAt: pick(sealedAt, Object.keys(fields)) as Record<string, number> };
};

/**
 * The writer's snapshot in an item, personal fields opened (in the clear in schema 1), each with
 * where it was sealed as its additional data: moved to another user, field or version, it does
 * not open.
 */
export const decodeSnapshot = (item: Record<string, unknown>, key: Buffer | undefined) => {
  const state = (item.State ?? {}) as Fields;
  if ((item.SchemaVersion as number) < 2) {
    return { stateVersion: item.StateVersion as number, state };
  }
  const { userId } = eventPosition(item);
  const sealedAt = snapshotSealedAt(item);
  const opened = Object.fromEntries(
    Object.entries(state).map(([field, value]) => {
      if (!isSealed(value)) return [field, value];
      const version = sealedAt[field] as number;
      return [
        field,
        key ? openField(key, value, { userId, version, path: `state.${field}` }) : null,
      ];
    }),
  );
  return { stateVersion: item.StateVersion as number, state: opened };
};
