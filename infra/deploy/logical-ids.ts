/**
 * CloudFormation logical ids for cid's resources. They are derived from the keys in
 * lib/resources, so serverless.yml, the IAM policies and the tests name the same things.
 */
const pascal = (key: string): string =>
  key
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

export const tableLogicalId = (key: string): string => `Table${pascal(key)}`;
export const queueLogicalId = (key: string): string => `Queue${pascal(key)}`;
export const alarmLogicalId = (what: string): string => `Alarm${pascal(what)}`;

/** The Lambda functions of serverless.yml, each with its own role. */
export const FUNCTIONS = ['http', 'events', 'results', 'sweeper'] as const;
export type FunctionKey = (typeof FUNCTIONS)[number];
export const roleLogicalId = (fn: FunctionKey): string => `${pascal(fn)}Role`;
/** osls names each function's log group `<Name>LogGroup`. */
export const logGroupLogicalId = (fn: FunctionKey): string => `${pascal(fn)}LogGroup`;
export const lambdaLogicalId = (fn: FunctionKey): string => `${pascal(fn)}LambdaFunction`;

/** A runner pool's role (infra/deploy/runner-policies.ts): `RunnerRoleLinuxX8664`. */
export const runnerRoleLogicalId = (pool: string): string => `RunnerRole${pascal(pool)}`;

export const ALARM_TOPIC = 'AlarmTopic';

/** Names follow load-config: tables and queues are prefixed `cid-<stage>`. */
export const resourcePrefix = (stage: string): string => `cid-${stage}`;
