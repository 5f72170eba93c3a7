import { PRIORITIES, type Pool } from '../../lib/contract/index.ts';
import { jobQueueKey } from '../../lib/resources/index.ts';
import { getAtt, type Resource, type Statement } from './cfn.ts';
import { queueLogicalId } from './logical-ids.ts';

/** A pool's job queues (urgent and bulk), the only AWS resources its runners touch. */
const ownQueues = (pool: Pool) => PRIORITIES.map((priority) => getAtt(queueLogicalId(jobQueueKey(pool, priority)), 'Arn'));

/**
 * What a runner of `pool` may do in AWS (issue #12): receive, delete and hide its own pool's job
 * messages, and look their URLs up. No DynamoDB and no sending: claims, heartbeats, logs, results
 * and tokens go through the runner API, which checks every call against the job's lease, so a
 * compromised runner can touch only the jobs it holds. infra/runner/runner-pools.yml gives its EC2
 * instance roles the same statements.
 */
export function runnerStatements(pool: Pool): Statement[] {
  return [
    {
      Sid: 'ConsumeOwnPoolJobs',
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
      Resource: ownQueues(pool),
    },
    { Sid: 'LookUpOwnPoolQueues', Effect: 'Allow', Action: ['sqs:GetQueueUrl'], Resource: ownQueues(pool) },
  ];
}

/**
 * A pool's runner role, for runners outside EC2 (ppc64le, s390x, riscv64 machines, or any pool's
 * machines elsewhere), which take it through IAM Roles Anywhere with their host certificate.
 * EC2 runners use runner-pools.yml's instance roles instead.
 */
export function runnerRole(pool: Pool, stage: string): Resource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'rolesanywhere.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
          },
        ],
      },
      Policies: [{ PolicyName: `cid-${stage}-runner-${pool}`, PolicyDocument: { Version: '2012-10-17', Statement: runnerStatements(pool) } }],
      Tags: [
        { Key: 'cid:stage', Value: stage },
        { Key: 'cid:pool', Value: pool },
      ],
    },
  };
}
