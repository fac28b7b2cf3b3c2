import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Classification, classifyEvent } from '#shared/classify.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const policy = loadPolicyFile(path.join(ROOT, 'policy/default.yaml'));
const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };

/** Security Hub's consolidated FAILED finding of `control` about one resource. */
function classify(control: string, resource: { Type: string; Id: string }) {
  const [result] = classifyEvent(
    {
      source: 'aws.securityhub',
      'detail-type': 'Security Hub Findings - Imported',
      detail: {
        findings: [
          {
            Id: `arn:aws:securityhub:us-east-1:111122223333:security-control/${control}/finding/3c2b1a09-8f7e-4d6c-9b5a-0123456789ab`,
            ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
            GeneratorId: `security-control/${control}`,
            AwsAccountId: '111122223333',
            Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
            Title: control,
            Region: 'us-east-1',
            CreatedAt: '2026-11-22T12:06:02.311Z',
            UpdatedAt: '2026-11-22T12:06:02.311Z',
            Severity: { Label: 'MEDIUM' },
            Resources: [{ ...resource, Region: 'us-east-1' }],
            Compliance: { Status: 'FAILED', SecurityControlId: control },
            RecordState: 'ACTIVE',
            Workflow: { Status: 'NEW' },
          },
        ],
      },
    },
    policy,
    ctx,
  );
  return result as Classification;
}

const ACCOUNT = { Type: 'AwsAccount', Id: 'AWS::::Account:111122223333' };

describe('Security Hub controls fixed by changing one setting', () => {
  it.each(['IAM.7', 'IAM.11', 'IAM.12', 'IAM.13', 'IAM.14', 'IAM.15', 'IAM.16', 'IAM.17'])(
    'routes %s (the account password policy) to set-password-policy at once',
    (control) => {
      expect(classify(control, ACCOUNT)).toMatchObject({
        outcome: 'routed',
        playbook: 'set-password-policy',
        mode: 'auto',
        finding: { resource: { kind: 'Account' } },
      });
    },
  );

  it('routes RDS.1 to revoke-outside-sharing for public access only, naming the snapshot by its identifier', () => {
    const result = classify('RDS.1', {
      Type: 'AwsRdsDbSnapshot',
      Id: 'arn:aws:rds:us-east-1:111122223333:snapshot:orders-nightly',
    });

    expect(result).toMatchObject({
      outcome: 'routed',
      playbook: 'revoke-outside-sharing',
      mode: 'auto',
      params: { publicOnly: true },
      finding: { resource: { kind: 'Other', type: 'AwsRdsDbSnapshot', id: 'orders-nightly' } },
    });
  });

  it('routes RDS.1 about a cluster snapshot the same way', () => {
    expect(
      classify('RDS.1', {
        Type: 'AwsRdsDbClusterSnapshot',
        Id: 'arn:aws:rds:us-east-1:111122223333:cluster-snapshot:aurora-weekly',
      }),
    ).toMatchObject({
      playbook: 'revoke-outside-sharing',
      finding: { resource: { type: 'AwsRdsDbClusterSnapshot', id: 'aurora-weekly' } },
    });
  });

  it('routes RDS.8 to protect-db-instance at once, naming the instance by its identifier', () => {
    expect(
      classify('RDS.8', { Type: 'AwsRdsDbInstance', Id: 'arn:aws:rds:us-east-1:111122223333:db:orders-db' }),
    ).toMatchObject({
      outcome: 'routed',
      playbook: 'protect-db-instance',
      mode: 'auto',
      finding: { resource: { kind: 'Other', type: 'AwsRdsDbInstance', id: 'orders-db' } },
    });
  });

  it('routes RDS.2 to protect-db-instance behind an approval, RDS.13 at once', () => {
    const instance = { Type: 'AwsRdsDbInstance', Id: 'arn:aws:rds:us-east-1:111122223333:db:orders-db' };
    expect(classify('RDS.2', instance)).toMatchObject({ playbook: 'protect-db-instance', mode: 'approve' });
    expect(classify('RDS.13', instance)).toMatchObject({ playbook: 'protect-db-instance', mode: 'auto' });
  });

  it('routes RDS.7 and RDS.16 to protect-db-cluster at once, naming the cluster by its identifier', () => {
    const cluster = {
      Type: 'AwsRdsDbCluster',
      Id: 'arn:aws:rds:us-east-1:111122223333:cluster:orders-aurora',
    };
    for (const control of ['RDS.7', 'RDS.16'])
      expect(classify(control, cluster)).toMatchObject({
        outcome: 'routed',
        playbook: 'protect-db-cluster',
        mode: 'auto',
        finding: { resource: { kind: 'Other', type: 'AwsRdsDbCluster', id: 'orders-aurora' } },
      });
  });
  it('routes DynamoDB.6 to protect-dynamodb-table at once, naming the table by its name', () => {
    expect(
      classify('DynamoDB.6', {
        Type: 'AwsDynamoDbTable',
        Id: 'arn:aws:dynamodb:us-east-1:111122223333:table/orders',
      }),
    ).toMatchObject({
      outcome: 'routed',
      playbook: 'protect-dynamodb-table',
      mode: 'auto',
      finding: { resource: { kind: 'Other', type: 'AwsDynamoDbTable', id: 'orders' } },
    });
  });

  it('routes SQS.1 to encrypt-sqs-queue at once, naming the queue by its name', () => {
    expect(
      classify('SQS.1', { Type: 'AwsSqsQueue', Id: 'arn:aws:sqs:us-east-1:111122223333:orders.fifo' }),
    ).toMatchObject({
      outcome: 'routed',
      playbook: 'encrypt-sqs-queue',
      mode: 'auto',
      finding: { resource: { kind: 'Other', type: 'AwsSqsQueue', id: 'orders.fifo' } },
    });
  });

  it('routes SNS.1 to encrypt-sns-topic after approval, naming the topic by its ARN', () => {
    const arn = 'arn:aws:sns:us-east-1:111122223333:alerts';
    expect(classify('SNS.1', { Type: 'AwsSnsTopic', Id: arn })).toMatchObject({
      outcome: 'routed',
      playbook: 'encrypt-sns-topic',
      mode: 'approve',
      finding: { resource: { kind: 'Other', type: 'AwsSnsTopic', id: arn } },
    });
  });

  it('leaves an SNS.1 finding whose resource is not a topic ARN to a person', () => {
    expect(
      classify('SNS.1', { Type: 'AwsSnsTopic', Id: 'arn:aws:sns:us-east-1:111122223333:bad topic' }),
    ).not.toMatchObject({ outcome: 'routed' });
  });

  it("EC2.1 names only the account: revoke-outside-sharing lists the account's public snapshots, after approval", () => {
    expect(classify('EC2.1', ACCOUNT)).toMatchObject({
      outcome: 'routed',
      playbook: 'revoke-outside-sharing',
      mode: 'approve',
    });
  });
});
