export * from './caller';
export { errorResponseBody } from './error-response';
export * from './errors';
export * from './pipeline';
