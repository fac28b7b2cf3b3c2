import { describe, expect, it } from 'vitest';
import { iamActionOf } from '#sandbox/services/iam/iam-actions.ts';

describe('iamActionOf', () => {
  it.each([
    ['iam', 'UpdateAccessKey', 'iam:UpdateAccessKey'],
    ['ec2', 'ModifyInstanceAttribute', 'ec2:ModifyInstanceAttribute'],
    ['elasticloadbalancing', 'DeregisterTargets', 'elasticloadbalancing:DeregisterTargets'],
    ['s3', 'PutPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
    ['s3', 'GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock'],
    ['s3', 'DeletePublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
    ['s3', 'GetBucketPolicyStatus', 's3:GetBucketPolicyStatus'],
    ['s3', 'ListBuckets', 's3:ListAllMyBuckets'],
    ['s3', 'HeadBucket', 's3:ListBucket'],
    ['lambda', 'Invoke', 'lambda:InvokeFunction'],
    ['states', 'StartExecution', 'states:StartExecution'],
  ])('%s %s needs %s', (service, operation, action) => {
    expect(iamActionOf(service, operation)).toBe(action);
  });

  it.each([
    ['sts', 'GetCallerIdentity'],
    ['s3', 'Unsupported'],
    ['states', 'Unknown'],
  ])('%s %s needs no permission', (service, operation) => {
    expect(iamActionOf(service, operation)).toBeUndefined();
  });
});
