/** A calendar day as the query string carries it. */
const daySchema = {
  type: 'string',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  description: 'must be a date as YYYY-MM-DD',
} as const;

/** The longest range one request may ask for, in days. */
export const MAX_RANGE_DAYS = 366;

export const statsRequestSchema = {
  type: 'object',
  properties: {
    queryStringParameters: {
      type: 'object',
      properties: { from: daySchema, to: daySchema },
      required: ['from', 'to'],
    },
  },
  required: ['queryStringParameters'],
} as const;

/** GET /stats's 200: every day of the range, in order, zeros included. */
export const statsBodySchema = {
  type: 'object',
  properties: {
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    days: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          day: { type: 'string', format: 'date' },
          registered: { type: 'integer', minimum: 0 },
          deleted: { type: 'integer', minimum: 0 },
          erased: { type: 'integer', minimum: 0 },
          balance_changes: { type: 'integer', minimum: 0 },
          balance_volume: { type: 'integer', description: 'the sum of the day’s balance deltas' },
          erasure_requests: {
            type: 'integer',
            minimum: 0,
            description: 'erasures asked for with a grace period (user.erasure-requested)',
          },
          erasure_cancellations: {
            type: 'integer',
            minimum: 0,
            description: 'requested erasures called off (user.erasure-cancelled)',
          },
        },
        required: [
          'day',
          'registered',
          'deleted',
          'erased',
          'balance_changes',
          'balance_volume',
          'erasure_requests',
          'erasure_cancellations',
        ],
        additionalProperties: false,
      },
    },
  },
  required: ['from', 'to', 'days'],
  additionalProperties: false,
} as const;
