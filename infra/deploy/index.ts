export * from './cloudformation.ts';
export * from './iam-policies.ts';
export * from './logical-ids.ts';
