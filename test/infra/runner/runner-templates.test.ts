import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';
import { POOLS, PRIORITIES } from '../../../lib/contract/index.ts';
import { EnvSchema } from '../../../app/config/index.ts';
import { jobQueueKey, queueName } from '../../../lib/resources/index.ts';
import { resourcePrefix, runnerStatements } from '../../../infra/deploy/index.ts';
import { RunnerEnvSchema, loadRunnerConfig } from '../../../runner/config/index.ts';

const dir = new URL('../../../infra/runner/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');

// CloudFormation's short-form tags, read as their long forms.
const INTRINSICS = ['Ref', 'Sub', 'GetAtt', 'Select', 'Base64', 'Join', 'If', 'Equals', 'Not', 'FindInMap', 'Split', 'GetAZs', 'ImportValue'];
const cfnTags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' ? 'Ref' : `Fn::${name}`;
  const wrap = (v: unknown) => ({ [key]: name === 'GetAtt' && typeof v === 'string' ? v.split('.') : v });
  return [
    { tag: `!${name}`, resolve: (v: string) => wrap(v) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (v: { toJSON(): unknown }) => wrap(v.toJSON()) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (v: { toJSON(): unknown }) => wrap(v.toJSON()) },
  ];
});

type Json = Record<string, any>;
const template = parse(read('runner-pools.yml'), { customTags: cfnTags }) as Json;
const R = template.Resources as Record<string, Json>;
const subText = (v: unknown): string => {
  const s = (v as Json)['Fn::Sub'];
  return typeof s === 'string' ? s : (s[0] as string);
};
/** `!Sub` text with the stage and the Sub's own variables filled in, as CloudFormation would. */
const filled = (v: unknown, vars: Record<string, string>) => {
  const s = (v as Json)['Fn::Sub'];
  const own: Record<string, string> = Array.isArray(s) ? (s[1] as Record<string, string>) : {};
  return subText(v).replace(/\$\{([^}]+)\}/g, (m, k: string) => ({ ...vars, ...own })[k] ?? m);
};

/** systemd unit files: section → key → values (a key may repeat). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1]!;
      out[section] = {};
      continue;
    }
    const i = line.indexOf('=');
    const k = line.slice(0, i);
    (out[section]![k] ??= []).push(line.slice(i + 1));
  }
  return out;
}
const unit = parseUnit(read('cid-runner@.service'));
const envExample = Object.fromEntries(
  read('cid-runner.env.example')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

const EC2_POOLS = [
  { pool: 'linux-x86_64', id: 'LinuxX8664', types: ['X86InstanceType', 'X86FallbackInstanceType'], defaults: ['c7i.2xlarge', 'c6i.2xlarge'], ami: 'X86Ami' },
  { pool: 'linux-arm64', id: 'LinuxArm64', types: ['Arm64InstanceType', 'Arm64FallbackInstanceType'], defaults: ['c7g.2xlarge', 'c6g.2xlarge'], ami: 'Arm64Ami' },
] as const;

describe('runner-pools.yml', () => {
  test('an Auto Scaling group per EC2 pool, none for the pools EC2 lacks (documented instead)', () => {
    const groups = Object.entries(R).filter(([, r]) => r.Type === 'AWS::AutoScaling::AutoScalingGroup');
    assert.deepEqual(groups.map(([k]) => k).sort(), ['AutoScalingGroupLinuxArm64', 'AutoScalingGroupLinuxX8664']);
    for (const p of POOLS.filter((x) => !EC2_POOLS.some((e) => e.pool === x))) {
      assert.match(template.Description, new RegExp(p.replace('linux-', '')), `${p} is explained`);
    }
  });

  for (const p of EC2_POOLS) {
    describe(p.pool, () => {
      const vars = { Stage: 'prod', 'AWS::Region': 'eu-west-1', 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012' };
      const asg = R[`AutoScalingGroup${p.id}`]!.Properties;
      const lt = R[`LaunchTemplate${p.id}`]!.Properties.LaunchTemplateData;
      const queues = PRIORITIES.map((pr) => queueName(resourcePrefix('prod'), jobQueueKey(p.pool, pr)));

      test('launch template: its architecture, instance types, IMDSv2 out of the containers’ reach', () => {
        assert.deepEqual(lt.ImageId, { Ref: p.ami });
        assert.match(template.Parameters[p.ami].Default, p.pool === 'linux-arm64' ? /arm64$/ : /x86_64$/);
        assert.deepEqual(asg.MixedInstancesPolicy.LaunchTemplate.Overrides, p.types.map((t) => ({ InstanceType: { Ref: t } })));
        assert.deepEqual(p.types.map((t) => template.Parameters[t].Default), p.defaults);
        assert.deepEqual(lt.MetadataOptions, { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' });
        assert.deepEqual(lt.IamInstanceProfile, { Arn: { 'Fn::GetAtt': [`InstanceProfile${p.id}`, 'Arn'] } });
      });

      test('user data installs the unit for this pool with an env file the unit reads', () => {
        const script = filled(lt.UserData['Fn::Base64'], vars);
        assert.match(script, new RegExp(`systemctl enable --now cid-runner-drain.service 'cid-runner@${p.pool}.service'`));
        assert.match(script, new RegExp(`/cid/prod/runner-tokens/${p.pool}`));
        const envBlock = /cat > \/etc\/cid\/runner.env <<ENV\n([\s\S]*?)\nENV\n/.exec(script)?.[1] ?? '';
        const keys = envBlock.split('\n').map((l) => l.slice(0, l.indexOf('=')));
        for (const k of ['CID_BACKEND', 'AWS_REGION', 'CID_RUNNER_ID', 'CID_RUNNER_BOOTSTRAP_TOKEN', 'CID_API_URL']) assert.ok(keys.includes(k), k);
        assert.match(envBlock, /^CID_RUNNER_ID=ec2-\$\(cat \/var\/lib\/cloud\/data\/instance-id\)$/m, 'one runner id per instance: a shared id would hand back the other instances\' jobs');
        for (const k of keys) assert.ok(k in envExample, `${k} is documented in cid-runner.env.example`);
      });

      test('drained on scale-in: a terminating lifecycle hook longer than the unit’s stop timeout', () => {
        const [hook] = asg.LifecycleHookSpecificationList as Json[];
        assert.equal(hook!.LifecycleTransition, 'autoscaling:EC2_INSTANCE_TERMINATING');
        assert.equal(hook!.DefaultResult, 'CONTINUE');
        assert.deepEqual(hook!.HeartbeatTimeout, { Ref: 'DrainSeconds' });
        assert.ok(template.Parameters.DrainSeconds.MinValue > Number(unit.Service!.TimeoutStopSec![0]));
        assert.ok(R[`AutoScalingGroup${p.id}`]!.UpdatePolicy.AutoScalingRollingUpdate, 'launch template changes replace instances');
        assert.equal(asg.AutoScalingGroupName['Fn::Sub'], `cid-\${Stage}-runners-${p.pool}`);
      });

      test('scales out on urgent + bulk visible messages of its own queues, in on surplus', () => {
        const backlog = R[`BacklogAlarm${p.id}`]!.Properties;
        assert.deepEqual(backlog.AlarmActions, [{ Ref: `ScaleOut${p.id}` }]);
        const stat = (id: string) => (backlog.Metrics as Json[]).find((m) => m.Id === id)!.MetricStat.Metric;
        for (const [i, pr] of PRIORITIES.entries()) {
          assert.equal(stat(pr).MetricName, 'ApproximateNumberOfMessagesVisible');
          assert.equal(filled(stat(pr).Dimensions[0].Value, vars), queues[i]);
        }
        assert.equal((backlog.Metrics as Json[]).find((m) => m.ReturnData)!.Expression, 'FILL(urgent, 0) + FILL(bulk, 0)');
        assert.equal(R[`ScaleOut${p.id}`]!.Properties.AutoScalingGroupName.Ref, `AutoScalingGroup${p.id}`);
        const surplus = R[`SurplusAlarm${p.id}`]!.Properties;
        assert.deepEqual(surplus.AlarmActions, [{ Ref: `ScaleIn${p.id}` }]);
        assert.deepEqual(R[`ScaleIn${p.id}`]!.Properties.StepAdjustments, [{ MetricIntervalLowerBound: 0, ScalingAdjustment: -1 }]);
        const dims = (surplus.Metrics as Json[]).filter((m) => m.MetricStat).map((m) => filled(m.MetricStat.Metric.Dimensions[0].Value, vars));
        assert.deepEqual([...new Set(dims)].sort(), [...queues, `cid-prod-runners-${p.pool}`].sort());
      });

      test('instance role (#12): only its own pool’s queues (receive, delete, change visibility, look up), its own token and drain; no DynamoDB, no sending', () => {
        const st = R[`Role${p.id}`]!.Properties.Policies[0].PolicyDocument.Statement as Json[];
        const sid = (s: string) => st.find((x) => x.Sid === s)!;
        const own = queues.map((q) => `arn:aws:sqs:eu-west-1:123456789012:${q}`);
        const actions = st.flatMap((x) => x.Action as string[]);
        assert.deepEqual(
          [...new Set(actions)].sort(),
          ['autoscaling:CompleteLifecycleAction', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'ssm:GetParameter'],
        );
        const sqsResources = st.filter((x) => (x.Action as string[]).some((a) => a.startsWith('sqs:'))).flatMap((x) => (x.Resource as unknown[]).map((r) => filled(r, vars)));
        assert.deepEqual([...new Set(sqsResources)].sort(), [...own].sort(), 'SQS actions only on its own urgent and bulk queues');
        assert.deepEqual(sid('ConsumeOwnPoolJobs').Resource.map((r: unknown) => filled(r, vars)), own);
        assert.deepEqual(sid('LookUpOwnPoolQueues').Resource.map((r: unknown) => filled(r, vars)), own);
        assert.deepEqual(sid('ReadOwnRunnerToken').Resource.map((r: unknown) => filled(r, vars)), [`arn:aws:ssm:eu-west-1:123456789012:parameter/cid/prod/runner-tokens/${p.pool}`]);
        assert.ok(!actions.some((a) => a.startsWith('dynamodb:') || a === 'sqs:SendMessage'));
        const other = EC2_POOLS.find((o) => o.pool !== p.pool)!.pool;
        assert.doesNotMatch(JSON.stringify(st), new RegExp(other), 'nothing of the other pool');
        assert.ok(!st.some((x) => (x.Action as string[]).some((a) => a.endsWith(':*') || a === '*')));
        assert.ok(!st.some((x) => (x.Resource as unknown[]).some((r) => filled(r, vars).includes('*') && !filled(r, vars).includes('autoScalingGroup:*'))), 'no wildcard resource');
      });

      test('instance role grants the same SQS statements as the serverless stack’s runner role for this pool', () => {
        const st = R[`Role${p.id}`]!.Properties.Policies[0].PolicyDocument.Statement as Json[];
        const yml = st.filter((x) => (x.Action as string[]).some((a) => a.startsWith('sqs:'))).map((x) => [x.Sid, x.Action]);
        assert.deepEqual(
          yml,
          runnerStatements(p.pool).map((x) => [x.Sid, x.Action]),
        );
      });
    });
  }
});

describe('cid-runner@.service and its env file', () => {
  test('runs the runner bin for the instance’s pool, hands jobs back on SIGTERM', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> };
    const [execStart] = unit.Service!.ExecStart!;
    assert.equal(execStart, `/opt/cid/${pkg.bin['cid-runner']!.replace('./', '')} --pool %i --concurrency \${CID_RUNNER_CONCURRENCY} --metrics-port \${CID_RUNNER_METRICS_PORT}`);
    assert.deepEqual(unit.Service!.KillSignal, ['SIGTERM']);
    assert.ok(Number(unit.Service!.TimeoutStopSec![0]) >= 300);
    assert.deepEqual(unit.Service!.EnvironmentFile, ['/etc/cid/runner.env', '-/etc/cid/runner-%i.env']);
    assert.deepEqual(unit.Service!.Restart, ['always']);
    assert.deepEqual(unit.Install!.WantedBy, ['multi-user.target']);
    assert.ok(unit.Unit!.Requires!.includes('docker.service'));
  });

  test('the env example is a valid configuration for the aws backend', () => {
    // CID_RUNNER_METRICS_PORT is read by the unit's ExecStart (--metrics-port), not by cid itself.
    const known = new Set([...Object.keys(EnvSchema.shape), ...Object.keys(RunnerEnvSchema.shape), 'CID_RUNNER_METRICS_PORT']);
    for (const k of Object.keys(envExample)) assert.ok(known.has(k), `${k} is a setting cid knows`);
    const runner = loadRunnerConfig({ ...envExample, CID_RUNNER_BOOTSTRAP_TOKEN: 'cidb1.linux-s390x.signature-from-the-admin-api' }, { pool: 'linux-s390x' });
    assert.equal(runner.cache.maxBytes, 50 * 1024 ** 3);
    assert.equal(runner.aws.sqsEndpoint, undefined, 'on AWS the SDK finds the endpoint');
    assert.equal(runner.apiUrl, 'https://ci.example.org');
  });

  test('the container image: Node 22, the runner bin as entrypoint, SIGTERM, no socket baked in', () => {
    const df = read('Dockerfile');
    assert.match(df, /^FROM node:22[-\w.]*$/m);
    assert.match(df, /^ENTRYPOINT \["node", "\/opt\/cid\/runner\/bin\.js"\]$/m);
    assert.match(df, /^STOPSIGNAL SIGTERM$/m);
    assert.doesNotMatch(df.split('\n').filter((l) => !l.startsWith('#')).join('\n'), /docker\.sock/);
  });
});
