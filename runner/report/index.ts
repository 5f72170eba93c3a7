export * from './annotations.ts';
