export * from './events';
export * from './logger';
export * from './validation';
