import type { DataKeys } from '@users/shared';
import type { ProjectionRegistry, ReadModelStore, UserEventReader } from '../../application/ports';
import type { ProjectionVersion } from '../../projections';
import { projectorMetrics } from './metrics';
import { createProjector } from './projector';
import { createVersionedProjector } from './versioned-projector';

type Role = 'live' | 'follower';

/**
 * The stream's projector over every projection version the registry lists. The live version's
 * store also keeps the console's feed (`storeOf(version, 'live')`) and reports the metrics; a
 * follower only writes its own tables.
 */
export const createStageProjector = ({
  registry,
  storeOf,
  keys,
  events,
}: {
  registry: ProjectionRegistry;
  storeOf: (version: ProjectionVersion, role: Role) => ReadModelStore;
  keys: Pick<DataKeys, 'read' | 'forget'>;
  events: UserEventReader;
}) => {
  const projectors = new Map<string, ReturnType<typeof createProjector>>();
  return createVersionedProjector(registry, (version, role) => {
    const key = `${version}/${role}`;
    let projector = projectors.get(key);
    if (!projector) {
      projector = createProjector(
        storeOf(version, role),
        keys,
        events,
        role === 'live' ? projectorMetrics : undefined,
      );
      projectors.set(key, projector);
    }
    return projector;
  });
};
