export * from './queues.ts';
export * from './batch-sender.ts';
export * from './message-body.ts';
