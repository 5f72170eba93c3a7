import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EVENTS_QUEUE_KEY, QUEUES, RESULTS_QUEUE_KEY, TABLES, dlqKey } from '../../../lib/resources/index.ts';
import { loadConfig } from '../../../app/config/index.ts';
import { POOLS, PRIORITIES } from '../../../lib/contract/index.ts';

// Runs the real packaging once (`npm run package`: esbuild bundle + `osls package --stage ci`,
// offline) and checks the CloudFormation it produced. Canary secrets are put in the packaging
// process's environment: none of them may reach the template.
const CANARIES = {
  PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----canary-key',
  WEBHOOK_SECRET: 'canary-webhook-secret-7f3a',
  CID_ADMIN_TOKEN: 'canary-admin-token-9c1e2d',
  CID_RUNNER_SECRET: 'canary-runner-secret-4b8e',
  CID_SLACK_WEBHOOK_URL: 'https://hooks.slack.invalid/canary-slack-5d2f',
  CID_METRICS_TOKEN: 'canary-metrics-token-61ab',
  CID_SESSION_SECRET: 'canary-session-secret-0123456789abcdef',
  GITHUB_CLIENT_SECRET: 'canary-client-secret-8e0d',
};

type Json = Record<string, any>;
let dir: string;
let text: string;
let R: Record<string, Json>;

const pascal = (k: string) =>
  k
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
const arn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const queueId = (key: string) => `Queue${pascal(key)}`;
const jobQueueKeys = POOLS.flatMap((p) => PRIORITIES.map((pr) => `jobs-${p}-${pr}`));
const allQueueArns = QUEUES.flatMap((q) => [arn(queueId(q.key)), arn(queueId(dlqKey(q.key)))]);
const tableArns = (keys: string[]) =>
  keys.flatMap((k) => [arn(`Table${pascal(k)}`), { 'Fn::Sub': `\${Table${pascal(k)}.Arn}/index/*` }]);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cid-cfn-'));
  await promisify(execFile)('npm', ['run', 'package', '--', '--package', dir], {
    env: { ...process.env, ...CANARIES },
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  text = readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8');
  R = (JSON.parse(text) as Json).Resources as Record<string, Json>;
});
after(() => rmSync(dir, { recursive: true, force: true }));

function statements(role: string): Json[] {
  const policies = R[role]?.Properties.Policies as Json[];
  assert.equal(policies.length, 1, `${role} has one inline policy`);
  return policies[0]!.PolicyDocument.Statement as Json[];
}
const bySid = (role: string) => Object.fromEntries(statements(role).map((s) => [s.Sid, s]));
const actionsOn = (role: string) => statements(role).flatMap((s) => s.Action as string[]);

/** Resources a value refers to (Ref, Fn::GetAtt, Fn::Sub), as CloudFormation orders creation by. */
function references(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) references(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Ref' && typeof x === 'string') out.add(x);
      else if (k === 'Fn::GetAtt') out.add(Array.isArray(x) ? String(x[0]) : String(x).split('.')[0]!);
      else if (k === 'Fn::Sub') for (const m of JSON.stringify(x).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) out.add(m[1]!);
      references(x, out);
    }
  }
  return out;
}

/** A chain of resources that depend on each other in a circle, if the template has one. */
function dependencyCycle(): string[] | undefined {
  const deps = new Map(
    Object.entries(R).map(([id, r]) => [id, [...references(r.Properties), ...[r.DependsOn ?? []].flat()].filter((d) => d in R && d !== id)]),
  );
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    for (const d of deps.get(id) ?? []) {
      const cycle = visit(d, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of deps.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('serverless.yml packaged for stage ci', () => {
  test('four functions on nodejs22.x with their handlers and own roles; no shared default role', () => {
    for (const [fn, handler] of [
      ['Http', 'app/handlers/http.main'],
      ['Events', 'app/handlers/events.main'],
      ['Results', 'app/handlers/results.main'],
      ['Sweeper', 'app/handlers/sweeper.main'],
    ] as const) {
      const f = R[`${fn}LambdaFunction`]?.Properties;
      assert.ok(f, `${fn} function exists`);
      assert.equal(f.Runtime, 'nodejs22.x');
      assert.equal(f.Handler, handler);
      assert.deepEqual(f.Role, arn(`${fn}Role`));
      assert.equal(f.Environment.Variables.CID_BACKEND, 'aws');
      assert.equal(f.Environment.Variables.CID_STAGE, 'ci');
    }
    assert.equal(R.IamRoleLambdaExecution, undefined);
    assert.equal(R.HttpLambdaFunction!.Properties.Environment.Variables.CID_SSM_PATH, '/cid/ci');
    assert.equal(R.SweeperLambdaFunction!.Properties.Environment.Variables.CID_SSM_PATH, undefined);
  });

  test('every table from tables.ts with keys, GSIs, on-demand billing, PITR and TTL', () => {
    const prefix = loadConfig({ CID_STAGE: 'ci' }).tablePrefix;
    for (const t of TABLES) {
      const res = R[`Table${pascal(t.key)}`];
      assert.equal(res?.Type, 'AWS::DynamoDB::Table', t.key);
      const p = res.Properties;
      assert.equal(p.TableName, `${prefix}-${t.key}`, 'the name the app derives from CID_STAGE');
      assert.equal(p.BillingMode, 'PAY_PER_REQUEST');
      assert.deepEqual(p.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
      assert.deepEqual(p.KeySchema, [
        { AttributeName: t.hash.name, KeyType: 'HASH' },
        ...(t.range ? [{ AttributeName: t.range.name, KeyType: 'RANGE' }] : []),
      ]);
      const defs = Object.fromEntries((p.AttributeDefinitions as Json[]).map((a) => [a.AttributeName, a.AttributeType]));
      for (const k of [t.hash, t.range, ...t.indexes.flatMap((i) => [i.hash, i.range])]) if (k) assert.equal(defs[k.name], k.type);
      const gsis = (p.GlobalSecondaryIndexes ?? []) as Json[];
      assert.deepEqual(
        gsis.map((g) => [g.IndexName, g.KeySchema, g.Projection.ProjectionType]),
        t.indexes.map((i) => [
          i.name,
          [{ AttributeName: i.hash.name, KeyType: 'HASH' }, ...(i.range ? [{ AttributeName: i.range.name, KeyType: 'RANGE' }] : [])],
          'ALL',
        ]),
      );
      assert.deepEqual(p.TimeToLiveSpecification, t.ttlAttribute ? { AttributeName: t.ttlAttribute, Enabled: true } : undefined);
    }
    const tables = Object.values(R).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    assert.equal(tables.length, TABLES.length, 'no table that tables.ts does not define');
  });

  test('every queue from queues.ts with its dead-letter queue, redrive policy and DLQ alarm', () => {
    for (const q of QUEUES) {
      const main = R[queueId(q.key)]?.Properties;
      const dlq = R[queueId(dlqKey(q.key))]?.Properties;
      assert.ok(main && dlq, q.key);
      assert.equal(main.QueueName, `cid-ci-${q.key}`);
      assert.equal(dlq.QueueName, `cid-ci-${q.key}-dlq`);
      assert.equal(main.VisibilityTimeout, q.visibilityTimeout);
      assert.equal(main.MessageRetentionPeriod, q.retentionSeconds);
      assert.deepEqual(main.RedrivePolicy, { deadLetterTargetArn: arn(queueId(dlqKey(q.key))), maxReceiveCount: q.maxReceiveCount });

      const alarms = Object.values(R).filter(
        (r) => r.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(r.Properties.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(dlqKey(q.key)), 'QueueName'] } }]),
      );
      assert.equal(alarms.length, 1, `one alarm on ${q.key}'s DLQ`);
      const a = alarms[0]!.Properties;
      assert.equal(a.MetricName, 'ApproximateNumberOfMessagesVisible');
      assert.equal(a.Threshold, 0);
      assert.equal(a.ComparisonOperator, 'GreaterThanThreshold');
      assert.deepEqual(a.AlarmActions, [{ Ref: 'AlarmTopic' }]);
    }
    assert.equal(R.AlarmTopic?.Type, 'AWS::SNS::Topic');
    const queues = Object.values(R).filter((r) => r.Type === 'AWS::SQS::Queue');
    assert.equal(queues.length, QUEUES.length * 2);
  });

  test('events and results: SQS event sources with ReportBatchItemFailures, batch 10, visibility ≥ 6× timeout', () => {
    const mappings = Object.values(R).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    assert.equal(mappings.length, 2);
    for (const [fn, key] of [
      ['Results', RESULTS_QUEUE_KEY],
      ['Events', EVENTS_QUEUE_KEY],
    ] as const) {
      const m = mappings.find((x) => JSON.stringify(x.Properties.FunctionName) === JSON.stringify(arn(`${fn}LambdaFunction`)))?.Properties;
      assert.ok(m, `${fn} has an event source`);
      assert.deepEqual(m.EventSourceArn, arn(queueId(key)));
      assert.deepEqual(m.FunctionResponseTypes, ['ReportBatchItemFailures']);
      assert.equal(m.BatchSize, 10);
      const timeout = R[`${fn}LambdaFunction`]!.Properties.Timeout as number;
      assert.equal(timeout, 60);
      assert.ok(R[queueId(key)]!.Properties.VisibilityTimeout >= 6 * timeout, `${key} visibility ≥ 6 × ${timeout} s`);
    }
  });

  test('sweeper runs every minute', () => {
    const rule = Object.values(R).find((r) => r.Type === 'AWS::Events::Rule')?.Properties;
    assert.equal(rule?.ScheduleExpression, 'rate(1 minute)');
    assert.deepEqual(rule.Targets[0].Arn, arn('SweeperLambdaFunction'));
  });

  test('one public endpoint: the http function’s URL, streaming, open to all (the app authenticates)', () => {
    const urls = Object.entries(R).filter(([, r]) => r.Type === 'AWS::Lambda::Url');
    assert.deepEqual(
      urls.map(([id]) => id),
      ['HttpLambdaFunctionUrl'],
    );
    assert.deepEqual(urls[0]![1].Properties, { AuthType: 'NONE', TargetFunctionArn: arn('HttpLambdaFunction'), InvokeMode: 'RESPONSE_STREAM' });
    assert.deepEqual(
      Object.values(R).filter((r) => r.Type.startsWith('AWS::ApiGateway')),
      [],
      'no API Gateway: it would buffer responses and cut them at 6 MB',
    );
    // Since October 2025 a public Function URL needs both permissions.
    const grants = Object.values(R)
      .filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName) === JSON.stringify(arn('HttpLambdaFunction')))
      .map((r) => r.Properties);
    assert.deepEqual(grants, [
      { FunctionName: arn('HttpLambdaFunction'), Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' },
      { FunctionName: arn('HttpLambdaFunction'), Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true },
    ]);
    // Long enough to stream a large log (200 MB at 2 MB/s past the first 6 MB), within Lambda's 15 min.
    const timeout = R.HttpLambdaFunction!.Properties.Timeout as number;
    assert.ok(timeout >= 100 && timeout <= 900, `http timeout ${timeout} s`);
    assert.deepEqual((JSON.parse(text) as Json).Outputs.HttpLambdaFunctionUrl?.Value, { 'Fn::GetAtt': ['HttpLambdaFunctionUrl', 'FunctionUrl'] });
  });

  test('the public URL: results links to the function URL; http takes it from its requests (no cycle)', () => {
    const env = (fn: string) => R[`${fn}LambdaFunction`]!.Properties.Environment.Variables as Json;
    assert.deepEqual(env('Results').CID_PUBLIC_URL, { 'Fn::GetAtt': ['HttpLambdaFunctionUrl', 'FunctionUrl'] });
    // The attribute ends with '/'; links are made by appending paths to the configured URL.
    const url = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/';
    assert.equal(loadConfig({ CID_PUBLIC_URL: url }).publicUrl, url.slice(0, -1));
    // The function's own URL in its environment would make CloudFormation refuse the template.
    assert.deepEqual(dependencyCycle(), undefined);
    assert.equal(env('Http').CID_PUBLIC_URL, undefined);
  });

  test('http role: read/write tables, send to job and results queues, never receive or delete', () => {
    const s = bySid('HttpRole');
    assert.deepEqual(Object.keys(s).sort(), [
      'HealthListTables',
      'LookUpQueueUrls',
      'ReadQueueDepths',
      'ReadStageSecrets',
      'ReadWriteTables',
      'ScanRepositories',
      'ScanRunners',
      'SendEventsJobsAndResults',
      'WriteOwnLogs',
    ]);
    assert.deepEqual(s.ReadWriteTables!.Action, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query']);
    assert.deepEqual(s.ReadWriteTables!.Resource, tableArns(TABLES.map((t) => t.key)));
    assert.deepEqual(s.ScanRepositories!.Resource, [arn('TableRepositories')]);
    assert.deepEqual(s.ScanRunners!.Resource, [arn('TableRunners')]);
    assert.deepEqual(s.HealthListTables, { Sid: 'HealthListTables', Effect: 'Allow', Action: ['dynamodb:ListTables'], Resource: ['*'] });
    assert.deepEqual(s.SendEventsJobsAndResults!.Action, ['sqs:SendMessage']);
    assert.deepEqual(s.SendEventsJobsAndResults!.Resource, [...jobQueueKeys, RESULTS_QUEUE_KEY, EVENTS_QUEUE_KEY].map((k) => arn(queueId(k))));
    assert.deepEqual(s.ReadQueueDepths!.Action, ['sqs:GetQueueAttributes']);
    assert.deepEqual(s.LookUpQueueUrls!.Resource, allQueueArns);
    assert.deepEqual(s.WriteOwnLogs!.Resource, [arn('HttpLogGroup')]);
    assert.deepEqual(s.ReadStageSecrets!.Action, ['ssm:GetParameters']);
    assert.deepEqual(s.ReadStageSecrets!.Resource, [
      { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/cid/ci/*' },
    ]);
    const actions = actionsOn('HttpRole');
    for (const forbidden of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:*', 'dynamodb:*', '*']) {
      assert.ok(!actions.includes(forbidden), `http may not ${forbidden}`);
    }
  });

  test('results role: consumes only the results queue, sends to job queues, reads/writes jobs and pipelines', () => {
    const s = bySid('ResultsRole');
    assert.deepEqual(Object.keys(s).sort(), ['ConsumeResults', 'LookUpQueueUrls', 'ReadStageSecrets', 'ReadWriteJobsAndPipelines', 'ReadWriteReports', 'SendJobsAndResults', 'WriteOwnLogs']);
    assert.deepEqual(s.ConsumeResults!.Action, ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes']);
    assert.deepEqual(s.ConsumeResults!.Resource, [arn(queueId(RESULTS_QUEUE_KEY))]);
    assert.deepEqual(s.SendJobsAndResults!.Resource, [...jobQueueKeys, RESULTS_QUEUE_KEY].map((k) => arn(queueId(k))));
    assert.deepEqual(s.ReadWriteJobsAndPipelines!.Action, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']);
    assert.deepEqual(s.ReadWriteJobsAndPipelines!.Resource, tableArns(['jobs', 'pipelines']));
    assert.deepEqual(s.ReadWriteReports!.Action, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    assert.deepEqual(s.ReadWriteReports!.Resource, tableArns(['reports', 'refs', 'repositories']));
    assert.deepEqual(s.WriteOwnLogs!.Resource, [arn('ResultsLogGroup')]);
  });

  test('events role: consumes only the events queue, sends jobs and results, no job logs', () => {
    const s = bySid('EventsRole');
    assert.deepEqual(Object.keys(s).sort(), ['ConsumeEvents', 'LookUpQueueUrls', 'ReadStageSecrets', 'ReadWritePipelineTables', 'SendJobsAndResults', 'WriteOwnLogs']);
    assert.deepEqual(s.ConsumeEvents!.Action, ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes']);
    assert.deepEqual(s.ConsumeEvents!.Resource, [arn(queueId(EVENTS_QUEUE_KEY))]);
    assert.deepEqual(s.SendJobsAndResults!.Resource, [...jobQueueKeys, RESULTS_QUEUE_KEY].map((k) => arn(queueId(k))));
    assert.deepEqual(s.ReadWritePipelineTables!.Resource, tableArns(['repositories', 'pipelines', 'refs', 'jobs', 'deliveries']));
    assert.deepEqual(s.WriteOwnLogs!.Resource, [arn('EventsLogGroup')]);
    const results = statements('ResultsRole').filter((x) => x.Sid !== 'LookUpQueueUrls');
    assert.ok(!JSON.stringify(results).includes(`"${queueId(EVENTS_QUEUE_KEY)}"`), 'results only looks the events queue up');
  });

  test('sweeper role: queries and touches jobs, re-sends to job queues, no secrets, no receive', () => {
    const s = bySid('SweeperRole');
    assert.deepEqual(Object.keys(s).sort(), ['LookUpQueueUrls', 'ReadQueuedJobs', 'ResendJobs', 'WriteOwnLogs']);
    assert.deepEqual(s.ReadQueuedJobs!.Action, ['dynamodb:Query', 'dynamodb:UpdateItem']);
    assert.deepEqual(s.ReadQueuedJobs!.Resource, tableArns(['jobs']));
    assert.deepEqual(s.ResendJobs!.Action, ['sqs:SendMessage']);
    assert.deepEqual(s.ResendJobs!.Resource, jobQueueKeys.map((k) => arn(queueId(k))));
    const actions = actionsOn('SweeperRole');
    assert.ok(!actions.includes('sqs:ReceiveMessage') && !actions.includes('sqs:DeleteMessage'));
    assert.ok(!actions.some((a) => a.startsWith('ssm:')));
  });

  test('no secret value, secret variable or SSM value lookup in the template', () => {
    for (const [name, value] of Object.entries(CANARIES)) {
      assert.ok(!text.includes(value), `${name}'s value leaked into the template`);
      assert.ok(!text.includes(`"${name}"`), `${name} is set as a variable in the template`);
    }
    assert.doesNotMatch(text, /PRIVATE KEY-----/);
    assert.doesNotMatch(text, /\{\{resolve:ssm/);
  });
});
