import type { Finding, Resource } from '#shared/findings/finding.ts';

/** One line naming the resource, as an on-call engineer would look it up. */
export function describeResource(resource: Resource): string {
  switch (resource.kind) {
    case 'AccessKey':
      return `access key ${resource.accessKeyId} of IAM user ${resource.userName}`;
    case 'Instance':
      return `EC2 instance ${resource.instanceId}${resource.vpcId ? ` in ${resource.vpcId}` : ''}`;
    case 'SecurityGroup':
      return `security group ${resource.groupId}`;
    case 'Trail':
      return `CloudTrail trail ${resource.trailName}`;
    case 'Bucket':
      return `S3 bucket ${resource.bucketName}`;
    case 'Account':
      return 'the account';
    case 'KmsKey':
      return `KMS key ${resource.keyId}`;
    case 'LambdaFunction':
      return `Lambda function ${resource.functionName}`;
    case 'EcsTask':
      return `ECS task ${resource.taskArn}`;
    case 'Other':
      return `${resource.type} ${resource.id}`;
  }
}

/** The facts of a finding an approver needs, as label/value pairs in reading order. */
export function findingFacts(finding: Finding): [label: string, value: string][] {
  return [
    ['Finding', finding.type],
    ['Severity', `${finding.severity.label} (${finding.severity.score})`],
    ['Resource', describeResource(finding.resource)],
    ['Account', finding.accountId],
    ['Region', finding.region],
    ['First seen', finding.firstSeen],
    ['Last seen', finding.lastSeen],
    ['Finding id', finding.id],
    ...Object.entries(finding.context ?? {}),
  ];
}
