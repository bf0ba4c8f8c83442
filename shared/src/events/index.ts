export * from './codec';
export * from './errors';
export * from './schemas';
export type * from './types';
