// SQS message bodies and job messages: written by the control plane, read by it and by runners.
export * from './message-body.ts';
export * from './decode.ts';
