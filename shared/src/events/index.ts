export * from './codec';
export * from './schemas';
export type * from './types';
