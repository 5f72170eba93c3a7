export * from './github-app.ts';
export * from './check-run-format.ts';
export * from './job-check-run.ts';
export * from './check-runs-reporter.ts';
