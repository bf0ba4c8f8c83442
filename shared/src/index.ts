export * from './events';
export * from './logger';
export * from './personal-data';
export * from './validation';
