// The pool's job queues, as a runner uses them.
export * from './job-queues.ts';
