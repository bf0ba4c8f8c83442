import { isDeepStrictEqual } from 'node:util';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { decodeEvent, isUnknownEvent } from '@users/shared';
import { integrationEventOfItem } from '../../../services/command-service/src/application/integration-event-of-item';
import { SWEEP_MARGIN_MS } from '../../../services/command-service/src/application/sweep-overdue-erasures';
import {
  fromDetailItem,
  fromHistoryItem,
} from '../../../services/query-service/src/infrastructure/read-model-items';
import {
  foldUserReadModels,
  heldReadModels,
  type ProjectionVersion,
} from '../../../services/query-service/src/projections';
import {
  foldDailyFigures,
  NO_FIGURES,
} from '../../../services/stats-service/src/domain/daily-figures';
import type { System } from '../system';
import { ERASURE_SWEEP_EVERY_MS, TABLES } from '../system';
import type { Observations } from './observations';

type Item = Record<string, unknown>;

/** Every item of a table, read as a consistent Scan straight from the emulator (no faults). */
export const scanTable = (system: System, table: string): Item[] => {
  const items: Item[] = [];
  let after: Record<string, AttributeValue> | undefined;
  do {
    const page = system.dynamodb.execute('Scan', {
      TableName: table,
      ConsistentRead: true,
      ...(after && { ExclusiveStartKey: after }),
    }) as {
      Items?: Record<string, AttributeValue>[];
      LastEvaluatedKey?: Record<string, AttributeValue>;
    };
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    after = page.LastEvaluatedKey;
  } while (after);
  return items;
};

const tableExists = (system: System, table: string) => {
  try {
    system.dynamodb.execute('DescribeTable', { TableName: table });
    return true;
  } catch {
    return false;
  }
};

/**
 * Where a table of the stage (any but the event store, whose personal fields are sealed) holds
 * a name or email ever sent for the user, one line each.
 */
export const personalDataHeld = (
  system: System,
  observations: Observations,
  userId: string,
  searched: (table: string) => boolean = () => true,
) => {
  const found: string[] = [];
  const values = [...(observations.personalData.get(userId) ?? [])];
  const tables = (
    system.dynamodb.execute('ListTables', {}) as { TableNames: string[] }
  ).TableNames.filter(
    (table) => table !== TABLES.events && searched(table) && tableExists(system, table),
  );
  for (const table of tables) {
    const text = scanTable(system, table).map((item) => JSON.stringify(item));
    for (const value of values) {
      const holder = text.find((item) => item.includes(value));
      if (holder) found.push(`${table} holds ${value}: ${holder.slice(0, 300)}`);
    }
  }
  return found;
};

const byUser = (items: Item[], key: string) => {
  const users = new Map<string, Item[]>();
  for (const item of items) {
    const userId = item[key] as string;
    users.set(userId, [...(users.get(userId) ?? []), item]);
  }
  return users;
};

/** The user's data key as the key table holds it (the simulated KMS wraps it readably). */
const keysOf = (system: System) => {
  const rows = new Map(
    scanTable(system, TABLES.dataKeys).map((row) => [row.UserID as string, row]),
  );
  return {
    rows,
    read: async (userId: string) => {
      const row = rows.get(userId);
      if (!row || row.Erased) return undefined;
      const wrapped = JSON.parse(Buffer.from(row.WrappedKey as string, 'base64').toString('utf8'));
      return Buffer.from(wrapped.key as string, 'base64');
    },
  };
};

const versionTables = (version: ProjectionVersion) =>
  version === 1
    ? { detail: TABLES.detail, history: TABLES.history }
    : { detail: `${TABLES.detail}-v${version}`, history: `${TABLES.history}-v${version}` };

/** The registry as the projector reads it: the live version and every other one's record. */
const registryOf = (system: System) => {
  const items = scanTable(system, TABLES.projections);
  const live =
    (items.find((item) => item.Id === 'live')?.Live as ProjectionVersion | undefined) ?? 1;
  const records = items.filter((item) => String(item.Id).startsWith('version#'));
  return { live, records, marks: items.filter((item) => String(item.Id).startsWith('erasure#')) };
};

const normalised = (value: unknown) => JSON.parse(JSON.stringify(value));

/**
 * The promises checked once the run is quiet (every command answered, every stream record and
 * bus delivery done, the failure queues redriven, the history eraser run): docs/guarantees.md.
 */
export const checkQuiescence = async (system: System, observations: Observations) => {
  const violate = (invariant: string, detail: string) => observations.violate(invariant, detail);
  const events = scanTable(system, TABLES.events);
  const users = byUser(events, 'AggregateID');
  const byCorrelation = new Map<string, Item[]>();
  for (const item of events) {
    const id = item.CorrelationId as string;
    byCorrelation.set(id, [...(byCorrelation.get(id) ?? []), item]);
  }

  // Every acknowledged event stored exactly once, versions gapless.
  for (const [userId, items] of users) {
    const versions = items.map((item) => item.Sequence as number);
    if (!versions.every((version, i) => version === i + 1)) {
      violate('versions are gapless', `${userId}: ${versions.join(',')}`);
    }
  }
  const perCommand = new Map<string, number>();
  for (const item of events) {
    const commandId = String(item.CorrelationId).split('.')[0] as string;
    perCommand.set(commandId, (perCommand.get(commandId) ?? 0) + 1);
  }
  for (const [commandId, count] of perCommand) {
    if (count > 1) violate('a command is stored at most once', `${commandId}: ${count} events`);
  }
  for (const attempt of observations.attempts) {
    const stored = byCorrelation.get(attempt.correlationId) ?? [];
    if (attempt.status >= 500 && stored.length > 0) {
      violate(
        'no answer invites a retry when the command was stored',
        `${attempt.correlationId} (${attempt.eventType}) answered ${attempt.status} ${JSON.stringify(attempt.body)}`,
      );
    }
    if (attempt.status >= 400 && attempt.status < 500 && stored.length > 0) {
      violate(
        'a refused request stores nothing',
        `${attempt.correlationId} answered ${attempt.status}`,
      );
    }
    const answered = attempt.body as { message?: string; sequence?: number; event_id?: string };
    if (attempt.status === 200 && answered.message === 'Event stored') {
      const item = (users.get(attempt.userId) ?? []).find((i) => i.Sequence === answered.sequence);
      if (item?.EventId !== answered.event_id) {
        violate(
          'an acknowledged event is stored',
          `${attempt.correlationId} at ${answered.sequence}`,
        );
      }
    }
  }

  // An erasure asked for and not called off is carried out once its grace period is over, once,
  // never before it is due, and never for a request called off (docs/personal-data.md).
  for (const [userId, items] of users) {
    let pending: string | undefined;
    let erasures = 0;
    for (const item of items) {
      const payload = JSON.parse(String(item.Payload ?? '{}')) as { erase_after?: string };
      if (item.EventType === 'USER_ERASURE_REQUESTED') pending = payload.erase_after;
      if (item.EventType === 'USER_ERASURE_CANCELLED') pending = undefined;
      if (item.EventType !== 'USER_ERASED') continue;
      erasures++;
      // A client's command carries its attempt's correlation id (c<n>.<attempt>); a schedule's
      // firing, its execution id; the sweep, an id per erasure.
      const scheduled = !/^c\d+\.\d+$/.test(String(item.CorrelationId));
      if (scheduled && (pending === undefined || String(item.OccurredAt) < pending)) {
        violate(
          'a scheduled erasure erases only the pending request, once it is due',
          `${userId} erased at ${item.OccurredAt}, pending ${pending ?? 'nothing'}`,
        );
      }
      // Its firing lost, by the sweep's first run once it is overdue by the sweep's margin (and
      // within that run's minute).
      const erasedAt = String(item.OccurredAt);
      const lateBy = Date.parse(erasedAt) - Date.parse(pending ?? erasedAt);
      if (scheduled && lateBy > ERASURE_SWEEP_EVERY_MS + SWEEP_MARGIN_MS + 60_000) {
        violate(
          'an erasure asked for and not called off is carried out at most a sweep after its grace period',
          `${userId} erased at ${item.OccurredAt}, due ${pending}`,
        );
      }
      pending = undefined;
    }
    if (erasures > 1) violate('a user is erased once', `${userId}: ${erasures} USER_ERASED`);
    if (pending !== undefined) {
      violate(
        'an erasure asked for and not called off is carried out after its grace period',
        `${userId} still pending since ${pending}`,
      );
    }
  }

  // Every erasure has its receipt: stored and shredded with the event, published since.
  const receipts = new Map(
    scanTable(system, TABLES.erasureReceipts).map((row) => [row.UserID as string, row]),
  );
  for (const [userId, items] of users) {
    const erasure = items.find((item) => item.EventType === 'USER_ERASED');
    const receipt = receipts.get(userId);
    if (!erasure) {
      if (receipt) violate('an erasure receipt only for a user erased', userId);
      continue;
    }
    if (
      receipt?.ErasedAt !== erasure.OccurredAt ||
      receipt?.KeyShreddedAt !== erasure.OccurredAt ||
      receipt?.Version !== erasure.Sequence
    ) {
      violate(
        'an erasure starts its receipt with its own event',
        `${userId}: ${JSON.stringify(receipt)}`,
      );
    } else if (typeof receipt?.PublishedAt !== 'string') {
      violate("an erasure's receipt says when it was published", userId);
    }
  }

  // No data key without a user, and an erased user's key shredded.
  const keys = keysOf(system);
  for (const [userId, row] of keys.rows) {
    const history = users.get(userId) ?? [];
    if (history.length === 0)
      violate('a refused request stores no data key', `${userId} has a key`);
    const erased = history.some((item) => item.EventType === 'USER_ERASED');
    if (erased && !row.Erased) violate("an erasure shreds the user's key", userId);
  }

  // Every version the projector writes equals the fold of the events.
  const registry = registryOf(system);
  const written: ProjectionVersion[] = [registry.live];
  for (const record of registry.records) {
    const version = record.Version as ProjectionVersion;
    if (version !== registry.live && record.State === 'ready' && !record.Behind)
      written.push(version);
  }
  const decoded = new Map<string, Awaited<ReturnType<typeof decodeEvent>>[]>();
  for (const [userId, items] of users) {
    decoded.set(userId, await Promise.all(items.map((item) => decodeEvent(item, keys))));
  }
  for (const version of written) {
    const tables = versionTables(version);
    const details = new Map(
      scanTable(system, tables.detail).map((item) => [item.UserID as string, item]),
    );
    const history = byUser(scanTable(system, tables.history), 'UserID');
    for (const [userId, events] of decoded) {
      if (events.some(isUnknownEvent)) continue;
      const expected = normalised(heldReadModels(version, foldUserReadModels(events)));
      const detail = details.get(userId);
      const entries = (history.get(userId) ?? []).sort(
        (a, b) => (a.Sequence as number) - (b.Sequence as number),
      );
      const actual = normalised({
        detail: detail && fromDetailItem(detail),
        history: entries.map(fromHistoryItem),
      });
      if (!isDeepStrictEqual(actual.detail, expected.detail)) {
        violate(
          'every version the projector writes converges to the fold',
          `version ${version}, ${userId}: detail ${JSON.stringify(actual.detail)} where the fold is ${JSON.stringify(expected.detail)}`,
        );
      } else if (!isDeepStrictEqual(actual.history, expected.history)) {
        violate(
          'every version the projector writes converges to the fold',
          `version ${version}, ${userId}: history of ${actual.history.length} entries differs from the fold's ${expected.history.length}`,
        );
      }
      if (detail?.HistoryErasure)
        violate('every erased history is rewritten', `version ${version}, ${userId}`);
    }
  }

  // An erasure's receipt says when each version the projector writes hid and rewrote the user:
  // a record that failed (twice in a row too) is made again before the user leaves the pending
  // erasures, so none stays blank.
  for (const version of written) {
    for (const [userId, items] of users) {
      if (!items.some((item) => item.EventType === 'USER_ERASED')) continue;
      const receipt = receipts.get(userId) as
        | { DetailHiddenAt?: Record<string, string>; HistoryRewrittenAt?: Record<string, string> }
        | undefined;
      if (!receipt?.DetailHiddenAt?.[version] || !receipt.HistoryRewrittenAt?.[version]) {
        violate(
          "an erasure's receipt says when each version hid and rewrote the user",
          `version ${version}, ${userId}: ${JSON.stringify(receipt)}`,
        );
      }
    }
  }

  // No table of any version (live, following, behind, dropped but kept) holds an erased user's
  // personal data, nor any other table.
  const erased = [...users].filter(([, items]) =>
    items.some((item) => item.EventType === 'USER_ERASED'),
  );
  for (const [userId] of erased) {
    for (const held of personalDataHeld(system, observations, userId)) {
      violate(
        "no table holds an erased user's personal data once the history eraser has run",
        held,
      );
    }
  }
  if (registry.marks.length > 0) {
    violate('every erasure mark is applied by the history eraser', `${registry.marks.length} left`);
  }

  // A reader that saw a version and then a 404: only for a user deleted or erased since.
  for (const { userId, seen } of observations.notFoundAfterSeen) {
    const gone = (users.get(userId) ?? []).some(
      (item) => item.EventType === 'USER_DELETED' || item.EventType === 'USER_ERASED',
    );
    if (!gone) violate('no reader sees a version go back', `${userId}: 404 after version ${seen}`);
  }

  // Stats equal the fold of the integration events; every stored event published.
  const integration = await Promise.all(events.map((item) => integrationEventOfItem(item)));
  const expected = foldDailyFigures(integration);
  const counted = new Map<string, Record<string, number>>();
  for (const item of scanTable(system, TABLES.stats)) {
    const day = item.Day as string;
    const figures = counted.get(day) ?? {};
    for (const field of Object.keys(NO_FIGURES)) {
      figures[field] = (figures[field] ?? 0) + Number(item[field] ?? 0);
    }
    counted.set(day, figures);
  }
  for (const [day, figures] of expected) {
    if (!isDeepStrictEqual(normalised(figures), counted.get(day))) {
      violate(
        'stats equal the fold of the integration events',
        `${day}: counted ${JSON.stringify(counted.get(day))}, the events say ${JSON.stringify(figures)}`,
      );
    }
  }
};
