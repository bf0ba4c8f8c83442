import {
  deltaSchema,
  emailSchema,
  nameSchema,
  userCreatedPayloadSchema,
  userUpdatedPayloadSchema,
} from '@users/shared/schemas';
import type { FromSchema } from 'json-schema-to-ts';

/**
 * Text a person reads must show something: at least one letter, digit, punctuation mark or
 * symbol that is not an invisible filler (U+200B, U+3164, U+115F, U+2800, bidi controls, ...).
 * Stricter than the stored events' contract, which must keep reading what it once accepted.
 */
export const visibleTextSchema = {
  // [\s\S], not `.`: a regular expression's dot stops at U+2028 and U+2029, which names may hold.
  pattern:
    '^(?=[\\s\\S]*?(?![\\p{Default_Ignorable_Code_Point}\\u2800])[\\p{L}\\p{N}\\p{P}\\p{S}])',
  description: 'must contain a visible character',
} as const;

/**
 * The stored contract's name, whose pattern's dot refused names starting with U+2028 or U+2029
 * (released schemas never change; new events seal names, so only the edge needs the fix).
 */
const visibleNameSchema = {
  ...nameSchema,
  pattern: '^(?=[\\s\\S]*\\S)[^\\p{Cc}\\p{Cs}]+$',
  allOf: [visibleTextSchema],
} as const;

/** What each command asks for (the API's `event_type` + `payload`), validated at the edge. */
export const commandPayloadSchemas = {
  USER_CREATED: {
    ...userCreatedPayloadSchema,
    properties: { name: visibleNameSchema, email: emailSchema },
  },
  USER_BALANCE: {
    type: 'object',
    properties: { delta: deltaSchema },
    required: ['delta'],
    additionalProperties: false,
  },
  USER_UPDATED: {
    ...userUpdatedPayloadSchema,
    properties: { name: visibleNameSchema, email: emailSchema },
  },
  USER_DELETED: { type: 'object', properties: {}, additionalProperties: false },
  USER_ERASED: { type: 'object', properties: {}, additionalProperties: false },
  USER_ERASURE_REQUESTED: { type: 'object', properties: {}, additionalProperties: false },
  USER_ERASURE_CANCELLED: { type: 'object', properties: {}, additionalProperties: false },
} as const;

type PayloadSchemas = typeof commandPayloadSchemas;
export type CommandType = keyof PayloadSchemas;
export const COMMAND_TYPES = Object.keys(commandPayloadSchemas) as CommandType[];

/** A command as a client sends it (POST /command). */
export type ClientCommand = {
  [T in CommandType]: { type: T; payload: FromSchema<PayloadSchemas[T]> };
}[CommandType];

/**
 * The erasure the scheduler carries out at the end of a grace period, for the request whose
 * `erase_after` it names: never a client's to send.
 */
export type CarryOutErasure = { type: 'CARRY_OUT_ERASURE'; payload: { erase_after: string } };

export type UserCommand = ClientCommand | CarryOutErasure;
