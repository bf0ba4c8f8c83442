import { userIdSchema } from '@users/shared/schemas';
import type { FromSchema } from 'json-schema-to-ts';

const timestamp = { type: 'string', format: 'date-time' } as const;

/**
 * What an erasure schedule delivers (EventBridgeErasureScheduler's input, the scheduler's context
 * attributes filled in): checked, as every entry point checks what it is given.
 */
export const eraserInputSchema = {
  type: 'object',
  properties: {
    user_id: userIdSchema,
    erase_after: timestamp,
    scheduled_time: timestamp,
    execution_id: { type: 'string', minLength: 1, maxLength: 128 },
  },
  required: ['user_id', 'erase_after', 'scheduled_time', 'execution_id'],
  additionalProperties: false,
} as const;

export type EraserInput = FromSchema<typeof eraserInputSchema>;
