import type { DataKeys } from '@users/shared';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { recordingErasureSteps, recordsBeside } from '../../application/erasure-receipts';
import type {
  ErasureSteps,
  ProjectionRegistry,
  ReadModelStore,
  RecordedErasures,
  UserEventReader,
} from '../../application/ports';
import type { ProjectionVersion } from '../../projections';
import { projectorMetrics } from './metrics';
import { createProjector } from './projector';
import { createVersionedProjector, DEFAULT_REMAINING_MS, type Role } from './versioned-projector';

/** What a version's writes are bound by: a follower's stop at its share of the invocation. */
type Bound<T> = (signal?: AbortSignal) => T;

/**
 * The stream's projector over every projection version the registry lists. The live version's
 * store also keeps the console's feed (`storeOf(version, 'live')`) and reports the metrics; a
 * follower only writes its own tables, and stops at its deadline (`signal`); a version being
 * built leaves gaps to its build and reads nothing from the event store. Where the stage keeps
 * erasure receipts (`receipts`), each version records on them when it hid an erased user's detail
 * and when it finished the rewrite of their history: beside its writes, waited for once the
 * batch is answered.
 */
export const createStageProjector = ({
  registry,
  storeOf,
  keys,
  events,
  receipts,
}: {
  registry: ProjectionRegistry;
  storeOf: (
    version: ProjectionVersion,
    role: Role,
    signal?: AbortSignal,
  ) => ReadModelStore & RecordedErasures;
  keys: Pick<DataKeys, 'read' | 'forget'>;
  events: Bound<UserEventReader>;
  /**
   * Absent where the stage keeps no receipts (tests without them). Not bound by a follower's
   * deadline: a follower's signal aborts as soon as it answers, while its records go on beside
   * (each within its own bound) until the end of the invocation at the latest.
   */
  receipts?: ErasureSteps;
}) => {
  /** The projector of one invocation, its records given up shortly before its timeout. */
  const projectorWith = (records: ReturnType<typeof recordsBeside>) =>
    createVersionedProjector(registry, (version, role, signal) =>
      createProjector(
        receipts
          ? recordingErasureSteps(
              storeOf(version, role, signal),
              // A rewrite recorded is ended by the invocation: the follower's signal may be spent.
              records.of(receipts, (v, recordsSignal) => storeOf(v, role, recordsSignal)),
              version,
            )
          : storeOf(version, role, signal),
        keys,
        role === 'building' ? undefined : events(signal),
        role === 'live' ? projectorMetrics : undefined,
        { gapsLeftToBuild: role === 'building' },
      ),
    );
  return async (
    event: DynamoDBStreamEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<DynamoDBBatchResponse> => {
    const records = recordsBeside(context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS);
    try {
      return await projectorWith(records)(event, context);
    } finally {
      await records.settled();
    }
  };
};
