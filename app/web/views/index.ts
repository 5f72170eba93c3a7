export * from './common.ts';
export * from './home-page.ts';
export * from './owner-page.ts';
export * from './repo-page.ts';
export * from './commit-page.ts';
export * from './job-page.ts';
export * from './history-page.ts';
export * from './error-page.ts';
