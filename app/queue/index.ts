export * from './queues.ts';
export * from './batch-sender.ts';
// One decoder for both sides: lib/queue.
export * from '../../lib/queue/index.ts';
