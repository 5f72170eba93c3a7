export * from './create-http-app.ts';
export * from './health.ts';
export * from './bearer-auth.ts';
