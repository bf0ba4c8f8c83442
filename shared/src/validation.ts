import type { ErrorObject, ValidateFunction } from 'ajv';
import { EVENT_TYPES } from './events/schemas';

const EVENT_TYPE_LIST = EVENT_TYPES.join(', ');

/**
 * A validator precompiled from a JSON Schema at build time (see scripts/validators/generate.ts):
 * no schema is compiled when a Lambda starts.
 */
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
    return `${where} ${error.message ?? 'is invalid'}`;
  });
