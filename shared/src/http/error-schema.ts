/** Every error answer: `message`, plus `errors` for invalid input and details for refusals. */
export const errorBodySchema = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    errors: { type: 'array', items: { type: 'string' } },
    code: { type: 'string' },
    current_version: { type: 'integer' },
    balance: { type: 'integer' },
    delta: { type: 'integer' },
  },
  required: ['message'],
  additionalProperties: false,
} as const;
