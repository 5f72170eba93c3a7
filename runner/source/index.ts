export * from './fetch-source.ts';
export * from './pr-commits.ts';
