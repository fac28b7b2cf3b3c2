import type { Resource } from '../findings/finding.ts';

/**
 * The identifier that the audit trail's `byResource` index groups a resource's history by.
 * It must be the same whichever source reported the resource.
 */
export function resourceKey(accountId: string, resource: Resource): string {
  const id = (() => {
    switch (resource.kind) {
      case 'AccessKey':
        return `${resource.userName}/${resource.accessKeyId}`;
      case 'Instance':
        return resource.instanceId;
      case 'SecurityGroup':
        return resource.groupId;
      case 'Trail':
        return resource.trailName;
      case 'Bucket':
        return resource.bucketName;
      case 'Account':
        return accountId;
      case 'KmsKey':
        return resource.keyId;
      case 'LambdaFunction':
        return resource.functionName;
      case 'EcsTask':
        return resource.taskArn;
      case 'Other':
        return `${resource.type}/${resource.id}`;
    }
  })();
  return `RESOURCE#${accountId}#${resource.kind}#${id}`;
}
