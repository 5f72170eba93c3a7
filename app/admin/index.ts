export * from './repositories-routes.ts';
