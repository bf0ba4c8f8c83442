export * from './client';
export * from './client-options';
