export * from './sweep-queued-jobs.ts';
