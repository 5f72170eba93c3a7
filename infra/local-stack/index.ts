export * from './start-local-stack.ts';
export * from './create-resources.ts';
export * from './start-local-stack-thread.ts';
