import { dataKeysFromEnv } from '@users/shared';
import { readModelStore } from '../dependencies';
import { createProjector } from './projector';

export const handler = createProjector(readModelStore, dataKeysFromEnv());
