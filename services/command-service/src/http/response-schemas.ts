import { userIdSchema } from '@users/shared/schemas';
import { COMMAND_TYPES } from '../domain/commands';

/** POST /command's 200: the original API's answer, plus the stored event's id and time. */
export const acceptedBodySchema = {
  type: 'object',
  properties: {
    message: { enum: ['Event stored', 'No change'] },
    aggregate_id: userIdSchema,
    event_type: { enum: COMMAND_TYPES },
    sequence: { type: 'integer', minimum: 0 },
    event_id: { type: 'string', format: 'uuid' },
    occurred_at: { type: 'string', format: 'date-time' },
  },
  required: ['message', 'aggregate_id', 'event_type', 'sequence'],
  additionalProperties: false,
} as const;
