export * from './session-state';
export * from './session';
export * from './trial';
export * from './user';
export * from './trainer-events';
export * from './results';
export * from './admin';
export * from './trainer-files';
