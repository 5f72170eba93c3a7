export * from './sweep-queued-jobs.ts';
export * from './sweep-dead-letters.ts';
