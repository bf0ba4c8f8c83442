export * from './client';
export * from './client-options';
export * from './required-env';
