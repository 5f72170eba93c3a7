export * from './create-services.ts';
