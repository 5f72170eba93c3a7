import { EVENTS_QUEUE_KEY, QUEUES, RESULTS_QUEUE_KEY, TABLES, dlqKey, queueName, tableName, type QueueDef, type TableDef } from '../../lib/resources/index.ts';
import { getAtt, ref, type Cfn, type Resource } from './cfn.ts';
import { functionStatements } from './iam-policies.ts';
import { runnerRole } from './runner-policies.ts';
import { POOLS } from '../../lib/contract/index.ts';
import {
  ALARM_TOPIC,
  FUNCTIONS,
  alarmLogicalId,
  lambdaLogicalId,
  queueLogicalId,
  resourcePrefix,
  roleLogicalId,
  runnerRoleLogicalId,
  tableLogicalId,
  type FunctionKey,
} from './logical-ids.ts';

export interface DeployOptions {
  stage: string;
  service: string;
}

/** Dead letters are kept the longest SQS allows, to be inspected and redriven by hand. */
const DLQ_RETENTION = 14 * 24 * 3600;
/** An urgent job waiting this long means the pool has no (working) runner. */
const URGENT_AGE_ALARM_SECONDS = 1800;

// Only production keeps its data when the stack (or a table's replacement) goes.
const retention = (stage: string): Pick<Resource, 'DeletionPolicy' | 'UpdateReplacePolicy'> =>
  stage === 'prod' ? { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } : { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' };

const keySchema = (hash: { name: string }, range?: { name: string }) => [
  { AttributeName: hash.name, KeyType: 'HASH' },
  ...(range ? [{ AttributeName: range.name, KeyType: 'RANGE' }] : []),
];

function table(t: TableDef, prefix: string, stage: string): Resource {
  const attrs = new Map<string, string>();
  for (const k of [t.hash, t.range, ...t.indexes.flatMap((i) => [i.hash, i.range])]) if (k) attrs.set(k.name, k.type);
  return {
    Type: 'AWS::DynamoDB::Table',
    ...retention(stage),
    Properties: {
      TableName: tableName(prefix, t.key),
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
      KeySchema: keySchema(t.hash, t.range),
      ...(t.indexes.length > 0
        ? {
            GlobalSecondaryIndexes: t.indexes.map((i) => ({
              IndexName: i.name,
              KeySchema: keySchema(i.hash, i.range),
              Projection:
                i.projection.type === 'KEYS_ONLY'
                  ? { ProjectionType: 'KEYS_ONLY' }
                  : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...i.projection.attributes] },
            })),
          }
        : {}),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // Production's data cannot be deleted by a mistaken stack update or console click.
      ...(stage === 'prod' ? { DeletionProtectionEnabled: true } : {}),
      ...(t.ttlAttribute ? { TimeToLiveSpecification: { AttributeName: t.ttlAttribute, Enabled: true } } : {}),
      Tags: [{ Key: 'cid:stage', Value: stage }],
    },
  };
}

function queues(q: QueueDef, prefix: string): Record<string, Resource> {
  const dlq = queueLogicalId(dlqKey(q.key));
  return {
    [dlq]: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: queueName(prefix, dlqKey(q.key)), MessageRetentionPeriod: DLQ_RETENTION, SqsManagedSseEnabled: true },
    },
    [queueLogicalId(q.key)]: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: queueName(prefix, q.key),
        VisibilityTimeout: q.visibilityTimeout,
        MessageRetentionPeriod: q.retentionSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: getAtt(dlq, 'Arn'), maxReceiveCount: q.maxReceiveCount },
      },
    },
  };
}

function alarm(props: Record<string, unknown>): Resource {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: { ...props, AlarmActions: [ref(ALARM_TOPIC)], OKActions: [ref(ALARM_TOPIC)], TreatMissingData: 'notBreaching' },
  };
}

function dlqAlarm(q: QueueDef, prefix: string): Resource {
  return alarm({
    AlarmName: `${queueName(prefix, dlqKey(q.key))}-not-empty`,
    AlarmDescription: `Messages of ${q.key} failed ${q.maxReceiveCount} times and were dead-lettered. See docs/operations.md.`,
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: getAtt(queueLogicalId(dlqKey(q.key)), 'QueueName') }],
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
  });
}

function urgentAgeAlarm(q: QueueDef, prefix: string): Resource {
  return alarm({
    AlarmName: `${queueName(prefix, q.key)}-waiting`,
    AlarmDescription: `The oldest message of ${q.key} has waited over ${URGENT_AGE_ALARM_SECONDS / 60} minutes: the pool lacks runners. See docs/operations.md.`,
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateAgeOfOldestMessage',
    Dimensions: [{ Name: 'QueueName', Value: getAtt(queueLogicalId(q.key), 'QueueName') }],
    Statistic: 'Maximum',
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: URGENT_AGE_ALARM_SECONDS,
    ComparisonOperator: 'GreaterThanThreshold',
  });
}

function functionErrorsAlarm(fn: FunctionKey, service: string, stage: string): Resource {
  return alarm({
    AlarmName: `${service}-${stage}-${fn}-errors`,
    AlarmDescription: `The ${fn} Lambda function failed (crash, timeout or unhandled error). See docs/operations.md.`,
    Namespace: 'AWS/Lambda',
    MetricName: 'Errors',
    Dimensions: [{ Name: 'FunctionName', Value: ref(lambdaLogicalId(fn)) }],
    Statistic: 'Sum',
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
  });
}

function role(fn: FunctionKey, stage: string): Resource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: `cid-${stage}-${fn}`, PolicyDocument: { Version: '2012-10-17', Statement: functionStatements(fn, stage) } }],
    },
  };
}

export interface DeployResources {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Description: string; Value: Cfn }>;
  /** Logical ids serverless.yml refers to. */
  roles: Record<FunctionKey, string>;
  refs: { resultsQueueArn: Cfn; eventsQueueArn: Cfn };
}

/** Everything in `resources:` of serverless.yml, generated from lib/resources. */
export function buildResources(opts: DeployOptions): DeployResources {
  const prefix = resourcePrefix(opts.stage);
  const Resources: Record<string, Resource> = {};
  for (const t of TABLES) Resources[tableLogicalId(t.key)] = table(t, prefix, opts.stage);
  for (const q of QUEUES) {
    Object.assign(Resources, queues(q, prefix));
    Resources[alarmLogicalId(dlqKey(q.key))] = dlqAlarm(q, prefix);
    if (q.key.endsWith('-urgent')) Resources[alarmLogicalId(`${q.key}-age`)] = urgentAgeAlarm(q, prefix);
  }
  for (const fn of FUNCTIONS) {
    Resources[roleLogicalId(fn)] = role(fn, opts.stage);
    Resources[alarmLogicalId(`${fn}-errors`)] = functionErrorsAlarm(fn, opts.service, opts.stage);
  }
  for (const pool of POOLS) Resources[runnerRoleLogicalId(pool)] = runnerRole(pool, opts.stage);
  Resources[ALARM_TOPIC] = { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${prefix}-alarms` } };

  return {
    Resources,
    Outputs: {
      AlarmTopicArn: { Description: 'Subscribe on-call here (email, chat) to receive cid alarms', Value: ref(ALARM_TOPIC) },
      ResultsQueueUrl: { Description: 'Queue the control plane sends job results to', Value: ref(queueLogicalId(RESULTS_QUEUE_KEY)) },
      ...Object.fromEntries(
        POOLS.map((pool) => [
          `${runnerRoleLogicalId(pool)}Arn`,
          { Description: `Role for ${pool} runners outside EC2 (IAM Roles Anywhere): its own job queues only`, Value: getAtt(runnerRoleLogicalId(pool), 'Arn') },
        ]),
      ),
    },
    roles: Object.fromEntries(FUNCTIONS.map((fn) => [fn, roleLogicalId(fn)])) as Record<FunctionKey, string>,
    refs: { resultsQueueArn: getAtt(queueLogicalId(RESULTS_QUEUE_KEY), 'Arn'), eventsQueueArn: getAtt(queueLogicalId(EVENTS_QUEUE_KEY), 'Arn') },
  };
}
