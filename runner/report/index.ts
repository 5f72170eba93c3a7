export * from './annotations.ts';
export * from './first-error.ts';
