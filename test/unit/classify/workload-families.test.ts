import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Classification, classifyEvent } from '#shared/classify.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const policy = loadPolicyFile(path.join(ROOT, 'policy/default.yaml'));
const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };

/** A real-shaped GuardDuty finding of `type` on `resource`, with `service` additions. */
function classify(type: string, resource: Record<string, unknown>, service: Record<string, unknown> = {}) {
  const [result] = classifyEvent(
    {
      source: 'aws.guardduty',
      'detail-type': 'GuardDuty Finding',
      detail: {
        id: '5ac2f6e1b7d94c0a8e3f2b1c0d9e8f7a',
        type,
        severity: 8,
        accountId: '111122223333',
        region: 'us-east-1',
        createdAt: '2026-11-20T09:21:45.118Z',
        updatedAt: '2026-11-20T09:21:45.118Z',
        resource,
        service: { serviceName: 'guardduty', count: 1, ...service },
      },
    },
    policy,
    ctx,
  );
  return result as Classification;
}

const s3Bucket = (userType: string, userName: string, accessKeyId: string) => ({
  resourceType: 'S3Bucket',
  accessKeyDetails: { accessKeyId, principalId: 'AROAEXAMPLEID', userType, userName },
  s3BucketDetails: [{ name: 'payroll-exports', type: 'Destination' }],
});
const node = { instanceId: 'i-0fedcba9876543210' };

describe('S3 findings by a principal contain that principal', () => {
  it("sends an IAM user's key seen exfiltrating from a malicious address to disable-access-key at once, naming the bucket", () => {
    const result = classify(
      'Exfiltration:S3/MaliciousIPCaller',
      s3Bucket('IAMUser', 'report-writer', 'AKIAI44QH8DHBEXAMPLE'),
    );

    expect(result).toMatchObject({ outcome: 'routed', playbook: 'disable-access-key', mode: 'auto' });
    expect(result.finding).toMatchObject({
      resource: { kind: 'AccessKey', accessKeyId: 'AKIAI44QH8DHBEXAMPLE', userName: 'report-writer' },
      context: { Bucket: 'payroll-exports' },
    });
  });

  it("sends a role session's anomalous deletions to revoke-role-sessions after approval", () => {
    const result = classify(
      'Impact:S3/AnomalousBehavior.Delete',
      s3Bucket('AssumedRole', 'etl-worker', 'ASIAI44QH8DHBEXAMPLE'),
    );

    expect(result).toMatchObject({ outcome: 'routed', playbook: 'revoke-role-sessions', mode: 'approve' });
  });

  it('keeps exposure findings about the bucket', () => {
    const result = classify(
      'Policy:S3/BucketPublicAccessGranted',
      s3Bucket('IAMUser', 'report-writer', 'AKIAI44QH8DHBEXAMPLE'),
    );

    expect(result).toMatchObject({
      playbook: 'block-bucket-public-access',
      finding: { resource: { kind: 'Bucket' } },
    });
  });
});

it('blocks public access for the account an account-level Block Public Access finding is about, after approval', () => {
  const result = classify(
    'Policy:S3/AccountBlockPublicAccessDisabled',
    s3Bucket('IAMUser', 'admin', 'AKIAI44QH8DHBEXAMPLE'),
  );

  expect(result).toMatchObject({
    playbook: 'block-account-public-access',
    mode: 'approve',
    finding: { resource: { kind: 'Bucket', bucketName: 'payroll-exports' } },
  });
});

describe('attack sequences send the credentials they name to the credential playbooks, in approve', () => {
  const sequence = (user: Record<string, string>) => ({
    detection: { sequence: { uid: 's-1', description: 'd', signals: [], actors: [{ id: 'a-1', user }] } },
  });

  it('routes the access key of the IAM user the sequence names to disable-access-key, approve', () => {
    const result = classify(
      'AttackSequence:IAM/CompromisedCredentials',
      { resourceType: 'AttackSequence' },
      sequence({ name: 'dave', uid: 'AIDAEXAMPLE', type: 'IAMUser', credentialUid: 'AKIAIOSFODNN7EXAMPLE' }),
    );

    expect(result).toMatchObject({ outcome: 'routed', playbook: 'disable-access-key', mode: 'approve' });
    expect(result.finding?.context?.['Credentials']).toBe('IAMUser dave (AKIAIOSFODNN7EXAMPLE)');
  });

  it('notifies a sequence that names no credentials', () => {
    const result = classify(
      'AttackSequence:S3/CompromisedData',
      { resourceType: 'AttackSequence' },
      sequence({ name: 'x', uid: 'x', type: 'IAMUser' }),
    );

    expect(result).toMatchObject({ outcome: 'routed', mode: 'notify' });
  });
});

describe('runtime findings are judged the same on EC2, EKS and ECS', () => {
  it.each(['EKSCluster', 'ECSCluster'])(
    'quarantines the %s node a crypto miner ran on, after approval',
    (resourceType) => {
      const result = classify('Impact:Runtime/CryptoMinerExecuted', {
        resourceType,
        instanceDetails: node,
        eksClusterDetails: { name: 'prod' },
      });

      expect(result).toMatchObject({
        outcome: 'routed',
        playbook: 'quarantine-instance',
        mode: 'approve',
        finding: { resource: { kind: 'Instance', instanceId: node.instanceId }, reportedAs: resourceType },
      });
    },
  );

  const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:111122223333:cluster/shop';
  const TASK_ARN = 'arn:aws:ecs:us-east-1:111122223333:task/shop/0123456789abcdef0123456789abcdef';
  /** GuardDuty's EcsClusterDetails with its EcsTaskDetails, as a Fargate finding carries them (no instance). */
  const fargateTask = (taskArn: string) => ({
    resourceType: 'ECSCluster',
    ecsClusterDetails: {
      name: 'shop',
      arn: CLUSTER_ARN,
      taskDetails: {
        arn: taskArn,
        definitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:7',
        launchType: 'FARGATE',
        group: 'service:checkout',
      },
    },
  });

  it('sends a Fargate task a crypto miner ran in to contain-ecs-task, after approval', () => {
    const result = classify('Impact:Runtime/CryptoMinerExecuted', fargateTask(TASK_ARN));

    expect(result).toMatchObject({
      outcome: 'routed',
      playbook: 'contain-ecs-task',
      mode: 'approve',
      ruleId: 'guardduty-ecs-task-compromise',
      finding: {
        resource: {
          kind: 'EcsTask',
          clusterArn: CLUSTER_ARN,
          taskArn: TASK_ARN,
          taskDefinitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:7',
        },
        reportedAs: 'ECSCluster',
        context: {
          Cluster: 'shop',
          Task: TASK_ARN,
          'Launch type': 'FARGATE',
          'Task group': 'service:checkout',
        },
      },
    });
  });

  it('only notifies a task finding whose task ARN is malformed', () => {
    const result = classify(
      'Impact:Runtime/CryptoMinerExecuted',
      fargateTask('arn:aws:ecs:us-east-1:111122223333:task/shop/x;y'),
    );

    expect(result).toMatchObject({
      outcome: 'routed',
      mode: 'notify',
      finding: { resource: { kind: 'Other' } },
    });
  });

  it('quarantines an EC2 instance for the same finding at once', () => {
    const result = classify('Impact:Runtime/CryptoMinerExecuted', {
      resourceType: 'Instance',
      instanceDetails: node,
    });

    expect(result).toMatchObject({ playbook: 'quarantine-instance', mode: 'auto' });
  });

  it('asks before quarantining an instance that hides its DNS lookups (DoH)', () => {
    const result = classify('DefenseEvasion:EC2/UnusualDoHActivity', {
      resourceType: 'Instance',
      instanceDetails: node,
    });

    expect(result).toMatchObject({ playbook: 'quarantine-instance', mode: 'approve' });
  });
});

describe('findings with no playbook tell people what a person needs', () => {
  it('notifies an EKS audit-log finding with cluster, namespace, workload and Kubernetes user', () => {
    const result = classify('PrivilegeEscalation:Kubernetes/PrivilegedContainer', {
      resourceType: 'EKSCluster',
      eksClusterDetails: { name: 'prod', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod' },
      kubernetesDetails: {
        kubernetesUserDetails: { username: 'system:serviceaccount:ci:deployer' },
        kubernetesWorkloadDetails: { name: 'miner', type: 'pods', namespace: 'default' },
      },
    });

    expect(result).toMatchObject({ outcome: 'routed', mode: 'notify', ruleId: 'guardduty-kubernetes-audit' });
    expect(result.finding?.context).toEqual({
      Cluster: 'prod',
      Namespace: 'default',
      Workload: 'pods miner',
      'Kubernetes user': 'system:serviceaccount:ci:deployer',
    });
  });

  it('notifies an RDS finding with the database, the user and the source address', () => {
    const result = classify(
      'CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce',
      {
        resourceType: 'RDSDBInstance',
        rdsDbInstanceDetails: { dbInstanceIdentifier: 'orders-db', engine: 'aurora-postgresql' },
        rdsDbUserDetails: { user: 'app', database: 'orders' },
      },
      { action: { rdsLoginAttemptAction: { remoteIpDetails: { ipAddressV4: '198.51.100.7' } } } },
    );

    expect(result).toMatchObject({ outcome: 'routed', mode: 'notify', ruleId: 'guardduty-rds' });
    expect(result.finding?.context).toMatchObject({
      Database: 'orders-db',
      'Database user': 'app',
      Source: '198.51.100.7',
    });
  });
});
