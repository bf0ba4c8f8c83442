import type { ErrorObject, ValidateFunction } from 'ajv';
import { EVENT_TYPES } from './events/schemas';
import type { FieldError } from './http/error-codes';

const EVENT_TYPE_LIST = EVENT_TYPES.join(', ');

/**
 * A validator precompiled from a JSON Schema at build time (see scripts/validators/generate.ts):
 * no schema is compiled when a Lambda starts.
 */
export type Validator<T> = ValidateFunction<T>;

/**
 * The errors that say what is wrong: an `if` schema's own error ('must match "else" schema') only
 * repeats that its branch failed, whose errors are listed.
 */
const telling = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).filter((error) => error.keyword !== 'if');

/** Ajv errors as short sentences that name the offending field, e.g. "/payload/email must match format \"email\"". */
export const describeErrors = (errors: ErrorObject[] | null | undefined): string[] =>
  telling(errors).map((error) => {
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

const FORMATS: Record<string, string> = {
  email: 'must be a valid email address',
  'date-time': 'must be a date and time such as 2026-12-01T12:00:00Z',
  uuid: 'must be a UUID',
};

const TYPES: Record<string, string> = {
  integer: 'must be a whole number',
  number: 'must be a number',
  string: 'must be text',
  object: 'must be an object',
  array: 'must be a list',
  boolean: 'must be true or false',
};

/** What is wrong with the value at one place, in words a person can be shown. */
const fieldMessage = ({ keyword, params, message }: ErrorObject): string => {
  if (keyword === 'format' && FORMATS[params.format]) return FORMATS[params.format] as string;
  if (keyword === 'type' && TYPES[params.type]) return TYPES[params.type] as string;
  if (keyword === 'minLength' && params.limit === 1) return 'must not be empty';
  if (keyword === 'minLength') return `must be at least ${params.limit} characters long`;
  if (keyword === 'maxLength') return `must be at most ${params.limit} characters long`;
  if (keyword === 'minimum') return `must be at least ${params.limit}`;
  if (keyword === 'maximum') return `must be at most ${params.limit}`;
  if (keyword === 'minProperties') return 'must not be empty';
  if (keyword === 'enum') return `must be one of ${params.allowedValues.join(', ')}`;
  // Ajv shouts NOT ("must NOT have more than 2 items"); a person reads it better in lower case.
  return (message ?? 'is invalid').replace(/\bNOT\b/g, 'not');
};

/** A property name as one JSON Pointer step ("a/b" is "a~1b"). */
const pointerStep = (name: string) => name.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Ajv errors as field errors, one for each of `describeErrors`' sentences: the JSON Pointer of the
 * field concerned (a missing or unexpected property's own, not its parent's) and what is wrong
 * with it, e.g. {path: "/body/payload/email", message: "must be a valid email address"}.
 */
export const describeFields = (errors: ErrorObject[] | null | undefined): FieldError[] =>
  telling(errors).map((error) => {
    const where = error.instancePath;
    if (error.keyword === 'additionalProperties') {
      return {
        path: `${where}/${pointerStep(error.params.additionalProperty)}`,
        message: 'is not allowed',
      };
    }
    if (error.keyword === 'required') {
      return {
        path: `${where}/${pointerStep(error.params.missingProperty)}`,
        message: 'is required',
      };
    }
    if (error.keyword === 'discriminator' && error.params.error === 'mapping') {
      return { path: `${where}/${error.params.tag}`, message: `must be one of ${EVENT_TYPE_LIST}` };
    }
    return { path: where, message: fieldMessage(error) };
  });
