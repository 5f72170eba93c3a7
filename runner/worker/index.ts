export * from './runner.ts';
export * from './start-runner.ts';
