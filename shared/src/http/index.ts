export * from './caller';
export { ERROR_CODES, type ErrorCode, type FieldError } from './error-codes';
export { errorResponseBody } from './error-response';
export * from './errors';
export * from './pipeline';
