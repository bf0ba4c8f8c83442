export * from './replay';
export * from './user-detail';
export * from './user-history';
export * from './user-summary';
