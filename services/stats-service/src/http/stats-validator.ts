import type { Validator } from '@users/shared';
import type { FromSchema } from 'json-schema-to-ts';
import { validateStatsRequest as validate } from './stats.validator.generated';
import type { statsRequestSchema } from './stats-schema';

export const validateStatsRequest = validate as Validator<FromSchema<typeof statsRequestSchema>>;
