import { readModelStore } from '../dependencies';
import { createProjector } from './projector';

export const handler = createProjector(readModelStore);
