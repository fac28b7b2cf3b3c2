/**
 * The calls an undo makes. Each action carries the exact API request (PascalCase, as the
 * Step Functions AWS SDK integration takes it), a line for people, and the state before and
 * after the call for the audit trail. The undo state machine picks its task by `type`.
 */
export type UndoActionType =
  | 'UpdateAccessKey'
  | 'DeleteUserPolicy'
  | 'UntagUser'
  | 'DeleteRolePolicy'
  | 'AssociateIamInstanceProfile'
  | 'ModifyNetworkInterfaceAttribute'
  | 'RegisterTargets'
  | 'AttachInstances'
  | 'AuthorizeSecurityGroupIngress'
  | 'AuthorizeSecurityGroupEgress'
  | 'ModifyInstanceMetadataOptions'
  | 'ModifySubnetAttribute'
  | 'PutPublicAccessBlock'
  | 'DeletePublicAccessBlock'
  | 'PutAccountPublicAccessBlock'
  | 'DeleteAccountPublicAccessBlock'
  | 'ModifySnapshotAttribute'
  | 'ModifyImageAttribute'
  | 'ModifyDBSnapshotAttribute'
  | 'ModifyDBClusterSnapshotAttribute'
  | 'DisableEbsEncryptionByDefault'
  | 'DisableKeyRotation'
  | 'UpdateIPSet'
  | 'DeleteFlowLogs'
  | 'PutFunctionConcurrency'
  | 'DeleteFunctionConcurrency'
  | 'UpdateAlias'
  | 'UpdateAccountPasswordPolicy'
  | 'DeleteAccountPasswordPolicy'
  | 'ModifyDBInstance'
  | 'ModifyDBCluster'
  | 'PutBucketPolicy'
  | 'DeleteBucketPolicy'
  | 'AddPermission'
  | 'UpdateTable'
  | 'SetQueueAttributes'
  | 'SetTopicAttributes';

/** Every action type, in no particular order: what the undo state machine must have a task for. */
export const UNDO_ACTION_TYPES: readonly UndoActionType[] = [
  'UpdateAccessKey',
  'DeleteUserPolicy',
  'UntagUser',
  'DeleteRolePolicy',
  'AssociateIamInstanceProfile',
  'ModifyNetworkInterfaceAttribute',
  'RegisterTargets',
  'AttachInstances',
  'AuthorizeSecurityGroupIngress',
  'AuthorizeSecurityGroupEgress',
  'ModifyInstanceMetadataOptions',
  'ModifySubnetAttribute',
  'PutPublicAccessBlock',
  'DeletePublicAccessBlock',
  'PutAccountPublicAccessBlock',
  'DeleteAccountPublicAccessBlock',
  'ModifySnapshotAttribute',
  'ModifyImageAttribute',
  'ModifyDBSnapshotAttribute',
  'ModifyDBClusterSnapshotAttribute',
  'DisableEbsEncryptionByDefault',
  'DisableKeyRotation',
  'UpdateIPSet',
  'DeleteFlowLogs',
  'PutFunctionConcurrency',
  'DeleteFunctionConcurrency',
  'UpdateAlias',
  'UpdateAccountPasswordPolicy',
  'DeleteAccountPasswordPolicy',
  'ModifyDBInstance',
  'ModifyDBCluster',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'AddPermission',
  'UpdateTable',
  'SetQueueAttributes',
  'SetTopicAttributes',
];

/** One reverse call. */
export interface UndoAction {
  readonly type: UndoActionType;
  /** What the call does, in one line, for the approval request and the notification. */
  readonly description: string;
  /** The API request, exactly as sent. */
  readonly request: Record<string, unknown>;
  /** The state the call changes, as the original playbook left it. */
  readonly before: unknown;
  /** The state the call restores, as recorded before the original playbook changed it. */
  readonly after: unknown;
  /**
   * Put/DeleteBucketPolicy only: the Sid of the statement the playbook added, which undo removes
   * from the policy as it is at undo time (statemachines/undo/bucket-policy-statement.ts). Each
   * playbook's reverser names its own, so one playbook's undo never takes out another's statement.
   */
  readonly statementSid?: string;
}

/** The four Block Public Access settings. */
export interface PublicAccessBlockConfiguration {
  readonly BlockPublicAcls?: boolean;
  readonly IgnorePublicAcls?: boolean;
  readonly BlockPublicPolicy?: boolean;
  readonly RestrictPublicBuckets?: boolean;
}

/** An ingress permission as AuthorizeSecurityGroupIngress takes it. */
export interface IpPermission {
  readonly IpProtocol: string;
  readonly FromPort?: number;
  readonly ToPort?: number;
  readonly IpRanges?: readonly { CidrIp: string; Description?: string }[];
  readonly Ipv6Ranges?: readonly { CidrIpv6: string; Description?: string }[];
  readonly PrefixListIds?: readonly { PrefixListId: string; Description?: string }[];
  readonly UserIdGroupPairs?: readonly { GroupId: string; UserId?: string; Description?: string }[];
}

/** A create-volume or launch permission as ModifySnapshotAttribute and ModifyImageAttribute take it. */
export interface SharePermission {
  readonly Group?: string;
  readonly UserId?: string;
  readonly OrganizationArn?: string;
  readonly OrganizationalUnitArn?: string;
}

/** An account password policy as UpdateAccountPasswordPolicy takes it (every setting it replaces). */
export interface PasswordPolicyRequest {
  readonly MinimumPasswordLength: number;
  readonly RequireSymbols: boolean;
  readonly RequireNumbers: boolean;
  readonly RequireUppercaseCharacters: boolean;
  readonly RequireLowercaseCharacters: boolean;
  readonly AllowUsersToChangePassword: boolean;
  readonly HardExpiry: boolean;
  /** Left out: passwords never expire. */
  readonly MaxPasswordAge?: number;
  /** Left out: passwords may be reused. */
  readonly PasswordReusePrevention?: number;
}

/** Builders of each action, so the request shapes live in one place. */
export const undoActions = {
  reactivateTrustedIpList: (detectorId: string, ipSetId: string): UndoAction => ({
    type: 'UpdateIPSet',
    description: `Activate GuardDuty trusted IP list ${ipSetId} of detector ${detectorId} again (it was active before)`,
    request: { DetectorId: detectorId, IpSetId: ipSetId, Activate: true },
    before: { Status: 'INACTIVE' },
    after: { Status: 'ACTIVE' },
  }),
  deleteFlowLogs: (flowLogIds: string[]): UndoAction => ({
    type: 'DeleteFlowLogs',
    description: `Delete the flow logs ${flowLogIds.join(', ')} the run re-created (they were deleted before it)`,
    request: { FlowLogIds: flowLogIds },
    before: { FlowLogIds: flowLogIds },
    after: { FlowLogIds: [] },
  }),
  disableKeyRotation: (keyId: string): UndoAction => ({
    type: 'DisableKeyRotation',
    description: `Turn automatic rotation of KMS key ${keyId} off again (it was off before)`,
    request: { KeyId: keyId },
    before: { KeyRotationEnabled: true },
    after: { KeyRotationEnabled: false },
  }),
  disableEbsEncryptionByDefault: (accountId: string, region: string): UndoAction => ({
    type: 'DisableEbsEncryptionByDefault',
    description: `Turn EBS encryption by default off again in account ${accountId}, ${region} (it was off before)`,
    request: {},
    before: { EbsEncryptionByDefault: true },
    after: { EbsEncryptionByDefault: false },
  }),
  reactivateKey: (userName: string, accessKeyId: string): UndoAction => ({
    type: 'UpdateAccessKey',
    description: `Set access key ${accessKeyId} of IAM user ${userName} Active again (it was Active before)`,
    request: { UserName: userName, AccessKeyId: accessKeyId, Status: 'Active' },
    before: { accessKeyId, status: 'Inactive' },
    after: { accessKeyId, status: 'Active' },
  }),
  deleteUserPolicy: (userName: string, policyName: string, document: unknown): UndoAction => ({
    type: 'DeleteUserPolicy',
    description: `Delete the session-deny inline policy ${policyName} from IAM user ${userName}`,
    request: { UserName: userName, PolicyName: policyName },
    before: { policyName, document },
    after: { policyName, deleted: true },
  }),
  untagUser: (userName: string, tagKeys: readonly string[]): UndoAction => ({
    type: 'UntagUser',
    description: `Remove the remediation tags (${tagKeys.join(', ')}) from IAM user ${userName}`,
    request: { UserName: userName, TagKeys: [...tagKeys] },
    before: { tagKeys },
    after: { tagKeys: [] },
  }),
  deleteRolePolicy: (roleName: string, policyName: string, document: unknown): UndoAction => ({
    type: 'DeleteRolePolicy',
    description: `Delete the session-deny inline policy ${policyName} from IAM role ${roleName}`,
    request: { RoleName: roleName, PolicyName: policyName },
    before: { policyName, document },
    after: { policyName, deleted: true },
  }),
  associateProfile: (instanceId: string, instanceProfileArn: string): UndoAction => ({
    type: 'AssociateIamInstanceProfile',
    description: `Associate instance profile ${instanceProfileArn} with instance ${instanceId} again`,
    request: { InstanceId: instanceId, IamInstanceProfile: { Arn: instanceProfileArn } },
    before: { associated: false },
    after: { associated: true, instanceProfileArn },
  }),
  restoreGroups: (networkInterfaceId: string, groups: readonly string[], current: unknown): UndoAction => ({
    type: 'ModifyNetworkInterfaceAttribute',
    description: `Put network interface ${networkInterfaceId} back in its security groups ${groups.join(', ')}`,
    request: { NetworkInterfaceId: networkInterfaceId, Groups: [...groups] },
    before: { networkInterfaceId, groups: current },
    after: { networkInterfaceId, groups },
  }),
  registerTarget: (targetGroupArn: string, instanceId: string, port: number): UndoAction => ({
    type: 'RegisterTargets',
    description: `Register instance ${instanceId} on port ${port} in target group ${targetGroupArn} again`,
    request: { TargetGroupArn: targetGroupArn, Targets: [{ Id: instanceId, Port: port }] },
    before: { targetGroupArn, registered: false },
    after: { targetGroupArn, registered: true, port },
  }),
  attachInstance: (autoScalingGroupName: string, instanceId: string): UndoAction => ({
    type: 'AttachInstances',
    description: `Attach instance ${instanceId} to Auto Scaling group ${autoScalingGroupName} again (this raises its desired capacity by one)`,
    request: { AutoScalingGroupName: autoScalingGroupName, InstanceIds: [instanceId] },
    before: { member: false },
    after: { member: true, autoScalingGroupName, desiredCapacity: '+1' },
  }),
  authorizeIngress: (groupId: string, permissions: readonly IpPermission[], rules: unknown): UndoAction => ({
    type: 'AuthorizeSecurityGroupIngress',
    description: `Re-add the ${permissions.length} ingress rule(s) revoked from security group ${groupId}`,
    request: { GroupId: groupId, IpPermissions: [...permissions] },
    before: { groupId, rules: [] },
    after: { groupId, rules },
  }),
  authorizeEgress: (groupId: string, permissions: readonly IpPermission[], rules: unknown): UndoAction => ({
    type: 'AuthorizeSecurityGroupEgress',
    description: `Re-add the ${permissions.length} egress rule(s) revoked from security group ${groupId}`,
    request: { GroupId: groupId, IpPermissions: [...permissions] },
    before: { groupId, rules: [] },
    after: { groupId, rules },
  }),
  allowImdsv1: (instanceId: string): UndoAction => ({
    type: 'ModifyInstanceMetadataOptions',
    description: `Let instance ${instanceId} accept IMDSv1 requests again (HttpTokens optional, as it was before)`,
    request: { InstanceId: instanceId, HttpTokens: 'optional' },
    before: { HttpTokens: 'required' },
    after: { HttpTokens: 'optional' },
  }),
  mapPublicIpOnLaunch: (subnetId: string): UndoAction => ({
    type: 'ModifySubnetAttribute',
    description: `Let subnet ${subnetId} assign public IPv4 addresses to new instances again (as it did before)`,
    request: { SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } },
    before: { MapPublicIpOnLaunch: false },
    after: { MapPublicIpOnLaunch: true },
  }),
  putPublicAccessBlock: (
    bucketName: string,
    previous: PublicAccessBlockConfiguration,
    current: unknown,
  ): UndoAction => ({
    type: 'PutPublicAccessBlock',
    description: `Put bucket ${bucketName}'s previous Block Public Access configuration back`,
    request: { Bucket: bucketName, PublicAccessBlockConfiguration: previous },
    before: current,
    after: { PublicAccessBlockConfiguration: previous },
  }),
  // The undo state machine reads the policy again and removes statement `sid` from the policy as it
  // is then (statemachines/undo/bucket-policy-statement.ts): `Policy` is the plan's expectation.
  putBucketPolicy: (bucketName: string, policy: string, current: unknown, sid: string): UndoAction => ({
    type: 'PutBucketPolicy',
    description: `Remove statement ${sid} from bucket ${bucketName}'s policy, keeping every other statement`,
    request: { Bucket: bucketName, Policy: policy },
    before: current,
    after: { Policy: policy },
    statementSid: sid,
  }),
  deleteBucketPolicy: (bucketName: string, current: unknown, sid: string): UndoAction => ({
    type: 'DeleteBucketPolicy',
    description: `Remove statement ${sid} from bucket ${bucketName}'s policy (its only statement: the policy is deleted)`,
    request: { Bucket: bucketName },
    before: current,
    after: { Policy: 'none' },
    statementSid: sid,
  }),
  deletePublicAccessBlock: (bucketName: string, current: unknown): UndoAction => ({
    type: 'DeletePublicAccessBlock',
    description: `Delete bucket ${bucketName}'s Block Public Access configuration (it had none before)`,
    request: { Bucket: bucketName },
    before: current,
    after: { PublicAccessBlockConfiguration: 'none' },
  }),
  putAccountPublicAccessBlock: (
    accountId: string,
    previous: PublicAccessBlockConfiguration,
    current: unknown,
  ): UndoAction => ({
    type: 'PutAccountPublicAccessBlock',
    description: `Put account ${accountId}'s previous Block Public Access configuration back`,
    request: { AccountId: accountId, PublicAccessBlockConfiguration: previous },
    before: current,
    after: { PublicAccessBlockConfiguration: previous },
  }),
  deleteAccountPublicAccessBlock: (accountId: string, current: unknown): UndoAction => ({
    type: 'DeleteAccountPublicAccessBlock',
    description: `Delete account ${accountId}'s Block Public Access configuration (it had none before)`,
    request: { AccountId: accountId },
    before: current,
    after: { PublicAccessBlockConfiguration: 'none' },
  }),
  shareSnapshot: (
    snapshotId: string,
    permissions: readonly SharePermission[],
    current: unknown,
  ): UndoAction => ({
    type: 'ModifySnapshotAttribute',
    description: `Give the ${permissions.length} removed create-volume permission(s) back to EBS snapshot ${snapshotId}`,
    request: {
      SnapshotId: snapshotId,
      Attribute: 'createVolumePermission',
      CreateVolumePermission: { Add: [...permissions] },
    },
    before: { snapshotId, permissions: current },
    after: { snapshotId, added: permissions },
  }),
  shareImage: (imageId: string, permissions: readonly SharePermission[], current: unknown): UndoAction => ({
    type: 'ModifyImageAttribute',
    description: `Give the ${permissions.length} removed launch permission(s) back to AMI ${imageId}`,
    request: { ImageId: imageId, Attribute: 'launchPermission', LaunchPermission: { Add: [...permissions] } },
    before: { imageId, permissions: current },
    after: { imageId, added: permissions },
  }),
  // Step Functions spells RDS's DB... members Db... (the AWS SDK for Java 2.x names).
  shareDbSnapshot: (
    cluster: boolean,
    identifier: string,
    values: readonly string[],
    current: unknown,
  ): UndoAction => ({
    type: cluster ? 'ModifyDBClusterSnapshotAttribute' : 'ModifyDBSnapshotAttribute',
    description: `Let ${values.join(', ')} restore RDS ${cluster ? 'cluster ' : ''}snapshot ${identifier} again`,
    request: {
      [cluster ? 'DbClusterSnapshotIdentifier' : 'DbSnapshotIdentifier']: identifier,
      AttributeName: 'restore',
      ValuesToAdd: [...values],
    },
    before: { identifier, restore: current },
    after: { identifier, added: values },
  }),
  putFunctionConcurrency: (functionName: string, reserved: number): UndoAction => ({
    type: 'PutFunctionConcurrency',
    description: `Set Lambda function ${functionName}'s reserved concurrency back to ${reserved} (it was throttled to 0)`,
    request: { FunctionName: functionName, ReservedConcurrentExecutions: reserved },
    before: { functionName, reservedConcurrency: 0 },
    after: { functionName, reservedConcurrency: reserved },
  }),
  deleteFunctionConcurrency: (functionName: string): UndoAction => ({
    type: 'DeleteFunctionConcurrency',
    description: `Remove Lambda function ${functionName}'s reserved concurrency (it had none before; it was throttled to 0)`,
    request: { FunctionName: functionName },
    before: { functionName, reservedConcurrency: 0 },
    after: { functionName, reservedConcurrency: 'none' },
  }),
  restorePasswordPolicy: (accountId: string, policy: PasswordPolicyRequest): UndoAction => ({
    type: 'UpdateAccountPasswordPolicy',
    description: `Put the IAM account password policy of account ${accountId} back as it was`,
    request: { ...policy },
    before: { accountId, passwordPolicy: 'raised to the baseline' },
    after: { accountId, passwordPolicy: policy },
  }),
  deletePasswordPolicy: (accountId: string): UndoAction => ({
    type: 'DeleteAccountPasswordPolicy',
    description: `Delete the IAM account password policy of account ${accountId} (it had none; IAM's default applies again)`,
    request: {},
    before: { accountId, passwordPolicy: 'raised to the baseline' },
    after: { accountId, passwordPolicy: 'none' },
  }),
  // Step Functions spells RDS's DB... members Db... (the AWS SDK for Java 2.x names). No
  // ApplyImmediately: the settings these put back apply at once without it, and with it RDS would
  // also apply the instance's pending modifications (protect-db-instance explains).
  restoreDbInstanceSetting: (identifier: string, setting: string, value: boolean): UndoAction => ({
    type: 'ModifyDBInstance',
    description: `Set ${setting} of RDS DB instance ${identifier} back to ${value} (it was ${value} before)`,
    request: { DbInstanceIdentifier: identifier, [setting]: value },
    before: { identifier, [setting]: !value },
    after: { identifier, [setting]: value },
  }),
  restoreDbClusterSetting: (identifier: string, setting: string, value: boolean): UndoAction => ({
    type: 'ModifyDBCluster',
    description: `Set ${setting} of RDS DB cluster ${identifier} back to ${value} (it was ${value} before)`,
    // ApplyImmediately for a cluster applies only this request's change (protect-db-cluster explains).
    request: { DbClusterIdentifier: identifier, [setting]: value, ApplyImmediately: true },
    before: { identifier, [setting]: !value },
    after: { identifier, [setting]: value },
  }),
  // The request restores the statement exactly (shared/lambda-policy/add-permission.ts).
  addPermission: (request: Record<string, unknown>, statement: unknown): UndoAction => ({
    type: 'AddPermission',
    description: `Put statement ${String(request.StatementId)} back in Lambda function ${String(request.FunctionName)}'s policy (it made the function public)`,
    request: { ...request },
    before: { statement: 'removed' },
    after: { statement },
  }),
  unprotectTable: (tableName: string): UndoAction => ({
    type: 'UpdateTable',
    description: `Turn deletion protection of DynamoDB table ${tableName} off again (it was off before)`,
    request: { TableName: tableName, DeletionProtectionEnabled: false },
    before: { tableName, DeletionProtectionEnabled: true },
    after: { tableName, DeletionProtectionEnabled: false },
  }),
  // SQS takes attribute values as strings, booleans included.
  stopQueueEncryption: (queueUrl: string): UndoAction => ({
    type: 'SetQueueAttributes',
    description: `Turn SQS-managed encryption at rest of queue ${queueUrl} off again (the queue was not encrypted before)`,
    request: { QueueUrl: queueUrl, Attributes: { SqsManagedSseEnabled: 'false' } },
    before: { queueUrl, SqsManagedSseEnabled: 'true' },
    after: { queueUrl, SqsManagedSseEnabled: 'false' },
  }),
  // An empty KmsMasterKeyId turns server-side encryption of the topic off.
  stopTopicEncryption: (topicArn: string, keyId: string): UndoAction => ({
    type: 'SetTopicAttributes',
    description: `Turn encryption at rest of SNS topic ${topicArn} off again (it was not encrypted before)`,
    request: { TopicArn: topicArn, AttributeName: 'KmsMasterKeyId', AttributeValue: '' },
    before: { topicArn, KmsMasterKeyId: keyId },
    after: { topicArn, KmsMasterKeyId: '' },
  }),
  pointAlias: (functionName: string, aliasName: string, version: string, current: string): UndoAction => ({
    type: 'UpdateAlias',
    description: `Point alias ${aliasName} of Lambda function ${functionName} back at version ${version} (it was rolled back to ${current})`,
    request: { FunctionName: functionName, Name: aliasName, FunctionVersion: version },
    before: { aliasName, functionVersion: current },
    after: { aliasName, functionVersion: version },
  }),
};
