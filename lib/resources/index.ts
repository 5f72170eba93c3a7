export * from './tables.ts';
export * from './queues.ts';
