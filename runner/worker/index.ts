export * from './runner.ts';
export * from './start-runner.ts';
export * from './cache-pruner.ts';
