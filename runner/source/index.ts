export * from './fetch-source.ts';
export * from './pr-commits.ts';
export * from './source-cache.ts';
export * from './job-token.ts';
