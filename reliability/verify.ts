import { isDeepStrictEqual } from 'node:util';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { decodeEvent, type ReadEvent } from '@users/shared';
import { toIntegrationEvent } from '@users/shared/integration';
import type { StageConfig } from '../scripts/local-stack/tables';
import { scopedKey } from '../services/command-service/src/application/execute-command';
import {
  toDetailTableItem,
  toHistoryItem,
} from '../services/query-service/src/infrastructure/read-model-items';
import {
  foldUserReadModels,
  heldReadModels,
  type ProjectionVersion,
  versionedTableName,
} from '../services/query-service/src/projections';
import { dayOf, foldDailyFigures } from '../services/stats-service/src/domain/daily-figures';
import { DynamoStatsStore } from '../services/stats-service/src/infrastructure/dynamo-stats-store';
import type { SentCommand } from './load';

type Stage = StageConfig;
type Item = Record<string, unknown>;

const scanAll = async (client: DynamoDBDocumentClient, TableName: string) => {
  const items: Item[] = [];
  for await (const page of paginateScan({ client }, { TableName, ConsistentRead: true }))
    items.push(...(page.Items ?? []));
  return items;
};

/** Every user's events, in version order. */
export const readEventStore = async ({
  client,
  eventsTable,
  keys,
}: Pick<Stage, 'client' | 'eventsTable' | 'keys'>) => {
  const byUser = new Map<string, ReadEvent[]>();
  for (const item of await scanAll(client, eventsTable)) {
    const event = (await decodeEvent(item, keys)) as ReadEvent;
    byUser.set(event.userId, [...(byUser.get(event.userId) ?? []), event]);
  }
  for (const events of byUser.values()) events.sort((a, b) => a.version - b.version);
  return byUser;
};

export type StoreReport = {
  /**
   * Acknowledged events missing together with their idempotency key: a whole TransactWriteItems
   * that DynamoDB Local acknowledged and then lost when it was killed (it does not make
   * transactions durable before answering; DynamoDB does). Counted within `lostEvents`.
   */
  lostWithTheirKeys: number;
  commands: number;
  answered: number;
  unanswered: number;
  events: number;
  gaps: number;
  lostEvents: number;
  duplicateEvents: number;
  refusedButStored: number;
  halfStates: number;
  /** Commands sent without an Idempotency-Key, whose events were stored more than once. */
  withoutKey: { commands: number; duplicated: number; lost: number };
};

/** Who every request of an open local stack acts as (scripts/offline-like-aws.cjs). */
const LOCAL_CALLER = 'local-developer';

/**
 * The event store's promises, checked against what clients were told: gapless versions, every
 * acknowledged event stored exactly once, nothing stored for a refusal, and no event without its
 * idempotency record (or the reverse).
 */
export const verifyEventStore = async (stage: Stage, sent: SentCommand[]): Promise<StoreReport> => {
  const users = await readEventStore(stage);
  const events = [...users.values()].flat();
  const byCorrelation = new Map<string, ReadEvent[]>();
  for (const event of events) {
    const id = event.correlationId;
    byCorrelation.set(id, [...(byCorrelation.get(id) ?? []), event]);
  }
  const report: StoreReport = {
    lostWithTheirKeys: 0,
    commands: sent.length,
    answered: sent.filter((c) => c.status !== undefined).length,
    unanswered: sent.filter((c) => c.status === undefined).length,
    events: events.length,
    gaps: [...users.values()].filter((list) => list.some((event, i) => event.version !== i + 1))
      .length,
    lostEvents: 0,
    duplicateEvents: [...byCorrelation.values()].filter((list) => list.length > 1).length,
    refusedButStored: 0,
    halfStates: 0,
    withoutKey: { commands: 0, duplicated: 0, lost: 0 },
  };
  const keys = await scanAll(stage.client, stage.idempotencyTable);
  const recordedKeys = new Set(keys.map((record) => record.IdempotencyKey));
  const isRecorded = (key: string) => recordedKeys.has(scopedKey(LOCAL_CALLER, key));
  const keyed = new Set(sent.flatMap((command) => (command.key ? [command.key] : [])));
  const finalAnswers = new Map<string, SentCommand>();
  for (const command of sent) {
    if (command.status !== undefined) finalAnswers.set(command.correlationId, command);
  }
  for (const [correlationId, command] of finalAnswers) {
    const stored = byCorrelation.get(correlationId) ?? [];
    if (command.status === 200 && command.response?.message === 'Event stored') {
      if (!stored.some((event) => event.eventId === command.response?.event_id)) {
        report.lostEvents++;
        if (!command.key) report.withoutKey.lost++;
        if (command.key && !isRecorded(command.key)) report.lostWithTheirKeys++;
      }
    } else if (stored.length > 0) {
      report.refusedButStored++;
    }
  }
  const unkeyed = new Set(sent.filter((c) => !c.key).map((c) => c.correlationId));
  report.withoutKey.commands = unkeyed.size;
  report.withoutKey.duplicated = [...unkeyed].filter(
    (id) => (byCorrelation.get(id)?.length ?? 0) > 1,
  ).length;
  const eventIds = new Set(events.map((event) => event.eventId));
  const storedOutcomes = keys.filter(
    (record) => (record.Outcome as { kind: string }).kind === 'stored',
  );
  report.halfStates =
    storedOutcomes.filter(
      (record) => !eventIds.has((record.Outcome as { result: { eventId: string } }).result.eventId),
    ).length +
    events.filter((event) => {
      const id = event.correlationId;
      return keyed.has(id) && !isRecorded(id);
    }).length;
  return report;
};

const readModelsOf = async (
  { client, readModelTables }: Stage,
  userId: string,
  version: ProjectionVersion,
) => {
  const get = async (TableName: string) =>
    (
      await client.send(
        new GetCommand({ TableName, Key: { UserID: userId }, ConsistentRead: true }),
      )
    ).Item ?? null;
  const history: Item[] = [];
  for await (const page of paginateQuery(
    { client },
    {
      TableName: versionedTableName(readModelTables.history, version),
      KeyConditionExpression: 'UserID = :id',
      ExpressionAttributeValues: { ':id': userId },
      ConsistentRead: true,
    },
  )) {
    history.push(...(page.Items ?? []));
  }
  return { detail: await get(versionedTableName(readModelTables.detail, version)), history };
};

/**
 * Waits until every user's read models (of projection `version`) equal the fold of that user's
 * events (as a rebuild would write them); resolves with the users that still differ when time
 * runs out.
 */
export const waitForReadModels = async (
  stage: Stage,
  timeoutMs: number,
  version: ProjectionVersion = 1,
): Promise<string[]> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const users = await readEventStore(stage);
    const mismatched: string[] = [];
    for (const [userId, events] of users) {
      const expected = heldReadModels(version, foldUserReadModels(events));
      const actual = await readModelsOf(stage, userId, version);
      const differences = [
        isDeepStrictEqual(actual.detail, toDetailTableItem(expected.detail)) ? '' : 'detail',
        isDeepStrictEqual(actual.history, expected.history.map(toHistoryItem)) ? '' : 'history',
      ].filter(Boolean);
      if (differences.length > 0) {
        mismatched.push(
          `${userId}: ${differences.join(', ')} (store at ${events.length}, detail at ${actual.detail?.Version ?? 0})`,
        );
      }
    }
    const detailTable = versionedTableName(stage.readModelTables.detail, version);
    for (const detail of await scanAll(stage.client, detailTable)) {
      const userId = detail.UserID as string;
      if (!users.has(userId)) mismatched.push(`${userId}: a read model without any event`);
    }
    if (mismatched.length === 0 || Date.now() > deadline) return mismatched;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
};

type StatsStage = Pick<Stage, 'client' | 'eventsTable' | 'keys' | 'statsTables'>;

/** Each event id the stats service counted, with the day it counted it for. */
const countedEventDays = async ({ client, statsTables }: StatsStage) =>
  new Map(
    (await scanAll(client, statsTables.countedEvents)).map((item) => [
      item.EventId as string,
      item.Day as string,
    ]),
  );

/** Readings tried at once before a check reports the stats as changing (other writers at work). */
const SNAPSHOT_ATTEMPTS = 5;

/**
 * The figures and the ids they count, as of one moment: the ids read before and after the
 * figures (consistently), the same both times (an id and its additions are one transaction, and
 * ids are never removed); undefined when a count landed between, every time.
 */
const countedSnapshot = async (stage: StatsStage, store: DynamoStatsStore) => {
  for (let attempt = 1; attempt <= SNAPSHOT_ATTEMPTS; attempt++) {
    const counted = await countedEventDays(stage);
    const figures = await store.figuresBetween('0000-01-01', '9999-12-31', { consistent: true });
    if ((await countedEventDays(stage)).size === counted.size) return { counted, figures };
  }
  return undefined;
};

/** Stored events not counted yet, each with when a check first saw it; how many checks ran. */
type UncountedEvents = { since: Map<string, number>; checks: number };

/**
 * What is wrong with the stats, event by event: an id counted that no stored event has, or for
 * another day than its event's; figures that are not the fold of exactly the events counted; a
 * stored event not counted within `uncountedGraceMs` of being first seen (`uncounted` keeps that
 * across checks; an event already stored when the wait began has no grace). The events are read
 * after the counts: every event counted was stored before, so the check holds however many
 * writers are at work meanwhile.
 */
const statsDisagreements = async (
  stage: StatsStage,
  store: DynamoStatsStore,
  uncounted: UncountedEvents,
  uncountedGraceMs: number,
) => {
  const snapshot = await countedSnapshot(stage, store);
  if (!snapshot) return ['the stats changed while they were read'];
  const { counted, figures } = snapshot;
  const countable = new Map(
    [...(await readEventStore(stage)).values()]
      .flat()
      .map((event) => toIntegrationEvent(event, 0))
      .filter((event) => foldDailyFigures([event]).size > 0)
      .map((event) => [event.detail.event_id, event]),
  );
  const problems: string[] = [];
  for (const [eventId, day] of counted) {
    const event = countable.get(eventId);
    if (!event) problems.push(`counted on ${day} but not in the event store: ${eventId}`);
    else if (dayOf(event) !== day)
      problems.push(`counted on ${day}, not ${dayOf(event)}: ${eventId}`);
  }
  const expected = foldDailyFigures(
    [...countable.values()].filter((event) => counted.has(event.detail.event_id)),
  );
  for (const day of [...new Set([...expected.keys(), ...figures.keys()])].sort()) {
    if (isDeepStrictEqual(figures.get(day), expected.get(day))) continue;
    problems.push(
      `${day}: ${JSON.stringify(figures.get(day))} stored, ${JSON.stringify(expected.get(day))} from the events counted`,
    );
  }
  const now = Date.now();
  for (const [eventId, event] of countable) {
    if (counted.has(eventId)) {
      uncounted.since.delete(eventId);
      continue;
    }
    // Seen by the first check: stored before the wait began, to be counted by its end.
    const since = uncounted.since.get(eventId) ?? (uncounted.checks === 0 ? -Infinity : now);
    uncounted.since.set(eventId, since);
    if (now - since >= uncountedGraceMs) {
      problems.push(`stored but not counted: ${event.type} ${eventId} of ${event.detail.user_id}`);
    }
  }
  uncounted.checks++;
  return problems;
};

/**
 * Waits until the stats service has counted every stored event once, for its day, and nothing
 * else; resolves with what still disagrees when time runs out. `settled` (the system is quiet):
 * then every event must be counted at once. Otherwise (other writers at work) an event may take
 * `uncountedGraceMs` to be counted.
 */
export const waitForStats = async (
  stage: StatsStage,
  timeoutMs: number,
  {
    settled,
    uncountedGraceMs = 0,
  }: { settled?: () => Promise<void>; uncountedGraceMs?: number } = {},
): Promise<string[]> => {
  const deadline = Date.now() + timeoutMs;
  const store = new DynamoStatsStore(stage.client, {
    figures: stage.statsTables.figures,
    countedEvents: stage.statsTables.countedEvents,
  });
  const uncounted: UncountedEvents = { since: new Map(), checks: 0 };
  const check = () => statsDisagreements(stage, store, uncounted, uncountedGraceMs);
  for (;;) {
    const problems = await check();
    if (problems.length > 0 && Date.now() <= deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      continue;
    }
    if (problems.length > 0 || !settled) return problems;
    // Converged: once every delivery still in flight has landed (a late duplicate included),
    // the stats must still agree.
    await settled();
    return check();
  }
};

/**
 * The stats once DynamoDB Local may have lost an acknowledged transaction whole (after a SIGKILL):
 * the figures must equal the fold of exactly the events the stats service recorded as counted
 * (none counted twice, none half), and `uncounted` says how many countable events it lacks.
 */
export const statsOfCountedEvents = async (stage: Stage) => {
  const store = new DynamoStatsStore(stage.client, {
    figures: stage.statsTables.figures,
    countedEvents: stage.statsTables.countedEvents,
  });
  const counted = new Set(
    (await scanAll(stage.client, stage.statsTables.countedEvents)).map((item) => item.EventId),
  );
  const countable = [...(await readEventStore(stage)).values()]
    .flat()
    .map((event) => toIntegrationEvent(event, 0))
    .filter((event) => foldDailyFigures([event]).size > 0);
  const expected = foldDailyFigures(
    countable.filter((event) => counted.has(event.detail.event_id)),
  );
  const stored = await store.figuresBetween('0000-01-01', '9999-12-31');
  const days = [...new Set([...expected.keys(), ...stored.keys()])];
  return {
    figuresMatchCounted: days.every((day) => isDeepStrictEqual(stored.get(day), expected.get(day))),
    uncounted: countable.filter((event) => !counted.has(event.detail.event_id)).length,
  };
};
