export * from './errors';
export * from './pipeline';
