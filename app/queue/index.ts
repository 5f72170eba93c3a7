export * from './queues.ts';
export * from './batch-sender.ts';
