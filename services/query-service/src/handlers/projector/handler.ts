import { dataKeysFromEnv } from '@users/shared';
import { documentClientFromEnv, requiredEnv } from '@users/shared/dynamo';
import { DynamoUserEvents } from '../../infrastructure/dynamo-user-events';
import { readModelStore } from '../dependencies';
import { createProjector } from './projector';

export const handler = createProjector(
  readModelStore,
  dataKeysFromEnv(),
  new DynamoUserEvents(documentClientFromEnv(), requiredEnv('EVENTS_TABLE')),
);
