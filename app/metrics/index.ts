export * from './registry.ts';
export * from './record.ts';
export * from './collect.ts';
export * from './routes.ts';
