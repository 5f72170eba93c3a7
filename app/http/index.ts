export * from './create-http-app.ts';
export * from './health.ts';
