export * from './handle-result.ts';
export * from './consume-results.ts';
