export * from './github-app.ts';
export * from './check-run-format.ts';
export * from './sync-checks.ts';
