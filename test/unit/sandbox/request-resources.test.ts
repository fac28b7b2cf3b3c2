import { describe, expect, it } from 'vitest';
import type { SandboxRequest } from '#sandbox/protocol.ts';
import { requestResources } from '#sandbox/services/iam/request-resources.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

function request(service: string, init: Partial<SandboxRequest> = {}): SandboxRequest {
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: {},
    body: Buffer.alloc(0),
    service,
    region: REGION,
    accountId: ACCOUNT,
    requestId: 'r-1',
    ...init,
  };
}

const form = (service: string, fields: Record<string, string>) =>
  request(service, {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: Buffer.from(new URLSearchParams(fields).toString()),
  });
const json = (service: string, body: unknown) =>
  request(service, { body: Buffer.from(JSON.stringify(body)) });

describe('the resources a request acts on', () => {
  it('is * for an action that takes no resource type (DescribeInstances, ListQueues)', async () => {
    expect(
      await requestResources(form('ec2', { Action: 'DescribeInstances' }), 'ec2:DescribeInstances'),
    ).toEqual(['*']);
    expect(await requestResources(json('sqs', {}), 'sqs:ListQueues')).toEqual(['*']);
  });

  it('names every EC2 resource by its id, and a resource being created by its type', async () => {
    const modify = form('ec2', {
      Action: 'ModifyInstanceAttribute',
      InstanceId: 'i-0123456789abcdef0',
      'GroupId.1': 'sg-0123456789abcdef0',
    });
    expect(await requestResources(modify, 'ec2:ModifyInstanceAttribute')).toEqual([
      `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0123456789abcdef0`,
    ]);
    const snapshot = form('ec2', { Action: 'CreateSnapshot', VolumeId: 'vol-0123456789abcdef0' });
    expect(await requestResources(snapshot, 'ec2:CreateSnapshot')).toEqual([
      `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/vol-0123456789abcdef0`,
      `arn:aws:ec2:${REGION}::snapshot/*`,
    ]);
  });

  it('leaves out the group a rule refers to: the rule changes only its own group', async () => {
    const ingress = form('ec2', {
      Action: 'AuthorizeSecurityGroupIngress',
      GroupId: 'sg-0123456789abcdef0',
      'IpPermissions.1.Groups.1.GroupId': 'sg-0fedcba9876543210',
    });
    expect(await requestResources(ingress, 'ec2:AuthorizeSecurityGroupIngress')).toEqual([
      `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0123456789abcdef0`,
    ]);
  });

  it('finds the ARN the service chose: an Auto Scaling group by name, a key by alias, a secret by name', async () => {
    const lookups = {
      autoScalingGroup: () =>
        `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:uuid-1:autoScalingGroupName/web`,
      kmsKey: () => `arn:aws:kms:${REGION}:${ACCOUNT}:key/k-1`,
      secret: () => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:approval-AbCdEf`,
    };
    const detach = form('autoscaling', { Action: 'DetachInstances', AutoScalingGroupName: 'web' });
    expect(await requestResources(detach, 'autoscaling:DetachInstances', lookups)).toEqual([
      `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:uuid-1:autoScalingGroupName/web`,
    ]);
    const mac = json('kms', { KeyId: 'alias/audit', Message: 'AA==', MacAlgorithm: 'HMAC_SHA_256' });
    expect(await requestResources(mac, 'kms:GenerateMac', lookups)).toEqual([
      `arn:aws:kms:${REGION}:${ACCOUNT}:key/k-1`,
    ]);
    const secret = json('secretsmanager', { SecretId: 'approval' });
    expect(await requestResources(secret, 'secretsmanager:GetSecretValue', lookups)).toEqual([
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:approval-AbCdEf`,
    ]);
  });

  it('names the user whose key GetAccessKeyLastUsed asks about', async () => {
    const lastUsed = form('iam', { Action: 'GetAccessKeyLastUsed', AccessKeyId: 'AKIAEXAMPLEKEY000001' });
    const lookups = { iamAccessKeyUser: () => `arn:aws:iam::${ACCOUNT}:user/ops/alice` };
    expect(await requestResources(lastUsed, 'iam:GetAccessKeyLastUsed', lookups)).toEqual([
      `arn:aws:iam::${ACCOUNT}:user/ops/alice`,
    ]);
  });

  it('reads JSON, form and REST requests of the other services', async () => {
    const cases: [SandboxRequest, string, string[]][] = [
      [
        json('dynamodb', { TableName: 'audit' }),
        'dynamodb:PutItem',
        [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/audit`],
      ],
      [
        json('dynamodb', { TableName: 'audit', IndexName: 'byResource' }),
        'dynamodb:Query',
        [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/audit/index/byResource`],
      ],
      [
        json('sqs', { QueueUrl: `http://127.0.0.1:4566/${ACCOUNT}/dlq` }),
        'sqs:SendMessage',
        [`arn:aws:sqs:${REGION}:${ACCOUNT}:dlq`],
      ],
      [
        form('sns', { Action: 'Publish', TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts` }),
        'sns:Publish',
        [`arn:aws:sns:${REGION}:${ACCOUNT}:alerts`],
      ],
      [
        json('cloudtrail', { Name: 'main' }),
        'cloudtrail:StartLogging',
        [`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/main`],
      ],
      [
        request('lambda', { path: '/2015-03-31/functions/audit-append/invocations' }),
        'lambda:InvokeFunction',
        [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:audit-append`],
      ],
      [
        request('guardduty', { method: 'POST', path: '/detector/d0' }),
        'guardduty:UpdateDetector',
        [`arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/d0`],
      ],
      [
        request('guardduty', { method: 'POST', path: '/detector/d0/ipset/s1' }),
        'guardduty:UpdateIPSet',
        [`arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/d0/ipset/s1`],
      ],
      [
        request('s3', { method: 'PUT', path: '/evidence', query: new URLSearchParams('policy') }),
        's3:PutBucketPolicy',
        ['arn:aws:s3:::evidence'],
      ],
      [
        json('events', { Rule: 'r1', EventBusName: 'remediation' }),
        'events:PutTargets',
        [`arn:aws:events:${REGION}:${ACCOUNT}:rule/remediation/r1`],
      ],
      [
        json('events', { Entries: [{ EventBusName: 'remediation' }, {}] }),
        'events:PutEvents',
        [
          `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/remediation`,
          `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
        ],
      ],
      [
        json('states', { stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:pb` }),
        'states:StartExecution',
        [`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:pb`],
      ],
      [
        form('iam', { Action: 'UpdateAccessKey', UserName: 'alice' }),
        'iam:UpdateAccessKey',
        [`arn:aws:iam::${ACCOUNT}:user/alice`],
      ],
    ];
    for (const [req, action, expected] of cases)
      expect(await requestResources(req, action), action).toEqual(expected);
  });
});
