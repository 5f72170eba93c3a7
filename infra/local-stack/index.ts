export * from './start-local-stack.ts';
export * from './create-resources.ts';
