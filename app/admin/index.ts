export * from './repositories-routes.ts';
export * from './runners-routes.ts';
