/** JSONPath of the EC2 instance a finding is about (shared/findings normalizes every source to it). */
export const INSTANCE_ID = '$.finding.resource.instanceId';
