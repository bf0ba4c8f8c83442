import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_TYPES } from './events/schemas';

const EVENT_TYPE_LIST = EVENT_TYPES.join(', ');

/** One configured Ajv for every schema in the system, so formats and strictness never diverge. */
export const ajv = addFormats(
  new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    discriminator: true,
    // Errors then carry their schema, whose `description` explains a failed pattern in words.
    verbose: true,
  }),
  ['email', 'date-time', 'uuid'],
);

export type Validator<T> = ValidateFunction<T>;

/** Ajv errors as short sentences that name the offending field, e.g. "/payload/email must match format \"email\"". */
export const describeErrors = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((error) => {
    const where = error.instancePath || '/';
    if (error.keyword === 'additionalProperties') {
      return `${where} must not have property "${error.params.additionalProperty}"`;
    }
    if (error.keyword === 'required') {
      return `${where} must have property "${error.params.missingProperty}"`;
    }
    if (error.keyword === 'discriminator' && error.params.error === 'mapping') {
      return `${where}/${error.params.tag} must be one of ${EVENT_TYPE_LIST}`;
    }
    if (error.keyword === 'pattern' && error.parentSchema?.description) {
      return `${where} ${error.parentSchema.description}`;
    }
    return `${where} ${error.message ?? 'is invalid'}`;
  });
