export * from './cloudformation.ts';
export * from './iam-policies.ts';
export * from './logical-ids.ts';
export * from './runner-policies.ts';
