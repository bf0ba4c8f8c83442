import { dataKeysFromEnv } from '@users/shared';
import { requiredEnv } from '@users/shared/dynamo';
import { readModelStore } from '../../services/query-service/src/handlers/dependencies';
import { createProjector } from '../../services/query-service/src/handlers/projector/projector';
import { withFaults } from './projector-faults';

/**
 * The projector of a fault drill: `PROJECTOR_FAULT_FILE=/tmp/faults npm start` runs this handler
 * in place of the real one (see scripts/local-stack/offline.ts); no deployed bundle contains it.
 */
export const handler = createProjector(
  withFaults(readModelStore, requiredEnv('PROJECTOR_FAULT_FILE')),
  dataKeysFromEnv(),
);
