export * from './runner-credentials.ts';
export * from './runner-routes.ts';
