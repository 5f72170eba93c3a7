import { POOLS, PRIORITIES } from '../../lib/contract/index.ts';
import { EVENTS_QUEUE_KEY, QUEUES, RESULTS_QUEUE_KEY, TABLES, dlqKey, jobQueueKey, type TableKey } from '../../lib/resources/index.ts';
import { getAtt, sub, type Cfn, type Statement } from './cfn.ts';
import { logGroupLogicalId, queueLogicalId, tableLogicalId, type FunctionKey } from './logical-ids.ts';

const queueArn = (key: string): Cfn => getAtt(queueLogicalId(key), 'Arn');
export const JOB_QUEUE_KEYS = POOLS.flatMap((pool) => PRIORITIES.map((priority) => jobQueueKey(pool, priority)));
const ALL_QUEUE_KEYS = QUEUES.flatMap((q) => [q.key, dlqKey(q.key)]);

/** A table and its indexes: Query on a GSI is authorised against the index ARN. */
const tableArns = (keys: readonly TableKey[]): Cfn[] =>
  keys.flatMap((k) => [getAtt(tableLogicalId(k), 'Arn'), sub(`\${${tableLogicalId(k)}.Arn}/index/*`)]);

const logs = (fn: FunctionKey): Statement => ({
  Sid: 'WriteOwnLogs',
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: [getAtt(logGroupLogicalId(fn), 'Arn')],
});

/** Queues.connect looks every queue up by name at start; GetQueueUrl reveals nothing else. */
const lookupQueues: Statement = {
  Sid: 'LookUpQueueUrls',
  Effect: 'Allow',
  Action: ['sqs:GetQueueUrl'],
  Resource: ALL_QUEUE_KEYS.map(queueArn),
};

const secrets = (stage: string): Statement => ({
  Sid: 'ReadStageSecrets',
  Effect: 'Allow',
  Action: ['ssm:GetParameters'],
  Resource: [sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/cid/${stage}/*`)],
});

const consume = (sid: string, key: string): Statement => ({
  Sid: sid,
  Effect: 'Allow',
  Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
  Resource: [queueArn(key)],
});

/** Every table but the job logs, which only runners write and the http function reads. */
const PIPELINE_TABLES: TableKey[] = ['repositories', 'pipelines', 'refs', 'jobs', 'deliveries'];

/**
 * Least privilege per function. The HTTP function enqueues but never consumes; the events and
 * results functions each consume their own queue; the sweeper only re-sends job messages.
 */
export function functionStatements(fn: FunctionKey, stage: string): Statement[] {
  switch (fn) {
    case 'http':
      return [
        logs(fn),
        {
          Sid: 'ReadWriteTables',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
          Resource: tableArns(TABLES.map((t) => t.key)),
        },
        // The admin API lists repositories with a Scan; only the runners table is scanned besides.
        { Sid: 'ScanRepositories', Effect: 'Allow', Action: ['dynamodb:Scan'], Resource: [getAtt(tableLogicalId('repositories'), 'Arn')] },
        // The admin API lists the runners (a small table) with a Scan.
        { Sid: 'ScanRunners', Effect: 'Allow', Action: ['dynamodb:Scan'], Resource: [getAtt(tableLogicalId('runners'), 'Arn')] },
        // /healthz pings DynamoDB with ListTables, which has no resource-level permission.
        { Sid: 'HealthListTables', Effect: 'Allow', Action: ['dynamodb:ListTables'], Resource: ['*'] },
        // Deliveries go to the events queue; web and admin actions (rebuild, cancel) send jobs and results.
        {
          Sid: 'SendEventsJobsAndResults',
          Effect: 'Allow',
          Action: ['sqs:SendMessage'],
          Resource: [...JOB_QUEUE_KEYS, RESULTS_QUEUE_KEY, EVENTS_QUEUE_KEY].map(queueArn),
        },
        // /healthz and /metrics read queue depths, dead-letter queues included.
        { Sid: 'ReadQueueDepths', Effect: 'Allow', Action: ['sqs:GetQueueAttributes'], Resource: ALL_QUEUE_KEYS.map(queueArn) },
        lookupQueues,
        secrets(stage),
      ];
    case 'events':
      return [
        logs(fn),
        {
          Sid: 'ReadWritePipelineTables',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
          Resource: tableArns(PIPELINE_TABLES),
        },
        consume('ConsumeEvents', EVENTS_QUEUE_KEY),
        // New pipelines queue their jobs and ask for their checks through the results queue.
        {
          Sid: 'SendJobsAndResults',
          Effect: 'Allow',
          Action: ['sqs:SendMessage'],
          Resource: [...JOB_QUEUE_KEYS, RESULTS_QUEUE_KEY].map(queueArn),
        },
        lookupQueues,
        secrets(stage),
      ];
    case 'results':
      return [
        logs(fn),
        {
          Sid: 'ReadWriteJobsAndPipelines',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
          Resource: tableArns(['jobs', 'pipelines']),
        },
        // PR reports (opam-repository statuses and comment, Slack): their own state, the PR's head, the repository's settings.
        {
          Sid: 'ReadWriteReports',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: tableArns(['reports', 'refs', 'repositories']),
        },
        consume('ConsumeResults', RESULTS_QUEUE_KEY),
        // New jobs after analysis; a result whose checks are busy is sent back with a delay.
        {
          Sid: 'SendJobsAndResults',
          Effect: 'Allow',
          Action: ['sqs:SendMessage'],
          Resource: [...JOB_QUEUE_KEYS, RESULTS_QUEUE_KEY].map(queueArn),
        },
        lookupQueues,
        secrets(stage),
      ];
    case 'sweeper':
      return [
        logs(fn),
        { Sid: 'ReadQueuedJobs', Effect: 'Allow', Action: ['dynamodb:Query', 'dynamodb:UpdateItem'], Resource: tableArns(['jobs']) },
        { Sid: 'ResendJobs', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: JOB_QUEUE_KEYS.map(queueArn) },
        lookupQueues,
      ];
  }
}
