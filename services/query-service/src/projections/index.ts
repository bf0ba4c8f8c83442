export * from './recent-events';
export * from './user-detail';
export * from './user-history';
export * from './user-read-models';
export * from './user-summary';
export * from './versions';
