export * from './read-delivered-event';
export * from './schemas';
export * from './to-integration-event';
export type * from './types';
