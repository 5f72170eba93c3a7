export * from './runner-credentials.ts';
export * from './lease-tokens.ts';
export * from './runner-directory.ts';
export * from './hand-back.ts';
export * from './lease-routes.ts';
export * from './runner-routes.ts';
