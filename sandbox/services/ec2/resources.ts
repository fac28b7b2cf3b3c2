import type { RequestLaunchTemplateData } from '@aws-sdk/client-ec2';

/**
 * The records of the EC2 resources the sandbox keeps. Relationships are stored once, on the
 * side AWS attaches them (an ENI knows its instance, a volume its attachment), and every
 * Describe derives its view from them, so no two records can disagree.
 */

/** An EC2 instance state name, with the numeric code AWS pairs it with. */
export type InstanceStateName =
  | 'pending'
  | 'running'
  | 'shutting-down'
  | 'terminated'
  | 'stopping'
  | 'stopped';

/** The codes AWS reports next to each state name (the low byte of `InstanceState.Code`). */
export const INSTANCE_STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** A VPC; the default VPC is created with the account, as in AWS. */
export interface Vpc {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly cidrAssociationId: string;
  readonly isDefault: boolean;
  readonly instanceTenancy: string;
}

/** A subnet of a VPC in one Availability Zone. */
export interface Subnet {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly availabilityZone: string;
  readonly defaultForAz: boolean;
  /** Set by ModifySubnetAttribute; until then true for a default subnet only, as EC2 creates them. */
  mapPublicIpOnLaunch?: boolean;
  /** How many addresses have been handed out, to pick the next private IP. */
  allocated: number;
}

/** A VPC security group; its rules live in `Ec2State.securityGroupRules`. */
export interface SecurityGroup {
  readonly groupId: string;
  readonly groupName: string;
  readonly description: string;
  readonly vpcId: string;
}

/** One security group rule: a single protocol/port range and a single peer, as AWS stores it. */
export interface SecurityGroupRule {
  readonly ruleId: string;
  readonly groupId: string;
  readonly isEgress: boolean;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all. */
  readonly ipProtocol: string;
  /** -1 when the protocol has no ports (all traffic). */
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  readonly referencedGroupId?: string;
  readonly referencedUserId?: string;
  readonly description?: string;
}

/** Where an ENI is attached; the primary ENI has device index 0. */
export interface NetworkInterfaceAttachment {
  readonly attachmentId: string;
  readonly instanceId: string;
  readonly deviceIndex: number;
  readonly attachTime: Date;
  deleteOnTermination: boolean;
}

/** An elastic network interface. Security groups belong to ENIs, not instances. */
export interface NetworkInterface {
  readonly networkInterfaceId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  description: string;
  readonly macAddress: string;
  readonly privateIpAddress: string;
  sourceDestCheck: boolean;
  groupIds: string[];
  attachment?: NetworkInterfaceAttachment;
}

/** An EC2 instance. Its ENIs, volumes and instance profile are found through `Ec2State`. */
export interface Instance {
  readonly instanceId: string;
  readonly reservationId: string;
  imageId: string;
  readonly instanceType: string;
  readonly keyName?: string;
  readonly launchTime: Date;
  state: InstanceStateName;
  stateTransitionReason: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly rootDeviceName: string;
  readonly architecture: string;
  readonly amiLaunchIndex: number;
  readonly clientToken?: string;
  disableApiTermination: boolean;
  instanceInitiatedShutdownBehavior: 'stop' | 'terminate';
  /** Set by ModifyInstanceMetadataOptions; until then the defaults of instance-metadata-options.ts. */
  metadataOptions?: InstanceMetadataOptions;
}

/** The instance metadata service options, as DescribeInstances reports them (SDK member names). */
export interface InstanceMetadataOptions {
  readonly HttpTokens: 'optional' | 'required';
  readonly HttpPutResponseHopLimit: number;
  readonly HttpEndpoint: 'enabled' | 'disabled';
  readonly HttpProtocolIpv6: 'enabled' | 'disabled';
  readonly InstanceMetadataTags: 'enabled' | 'disabled';
}

/** Where an EBS volume is attached, and whether it goes with the instance. */
export interface VolumeAttachment {
  readonly instanceId: string;
  readonly device: string;
  readonly attachTime: Date;
  deleteOnTermination: boolean;
}

/** An EBS volume. */
export interface Volume {
  readonly volumeId: string;
  readonly size: number;
  readonly snapshotId?: string;
  readonly availabilityZone: string;
  readonly volumeType: string;
  readonly iops?: number;
  readonly encrypted: boolean;
  readonly createTime: Date;
  attachment?: VolumeAttachment;
}

/** An EBS snapshot; its state follows from `completesAt` (pending until then). */
export interface Snapshot {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly volumeSize: number;
  readonly description: string;
  readonly startTime: Date;
  readonly encrypted: boolean;
  /** Epoch milliseconds at which the snapshot reaches `completed`. */
  readonly completesAt: number;
}

/** One block device of an image: the snapshot a new volume is restored from. */
export interface ImageBlockDevice {
  readonly deviceName: string;
  readonly snapshotId?: string;
  readonly volumeSize: number;
  readonly volumeType: string;
  readonly deleteOnTermination: boolean;
}

/** An AMI. */
export interface Image {
  readonly imageId: string;
  readonly name: string;
  readonly description?: string;
  readonly ownerId: string;
  readonly isPublic: boolean;
  readonly architecture: string;
  readonly rootDeviceName: string;
  readonly virtualizationType: string;
  readonly enaSupport: boolean;
  readonly creationDate: Date;
  readonly blockDeviceMappings: readonly ImageBlockDevice[];
}

/** An instance profile as EC2 reports it on an instance: its ARN and its `AIPA...` id. */
export interface InstanceProfileRef {
  readonly arn: string;
  readonly id: string;
}

/** The association of an instance profile with an instance (`iip-assoc-...`). */
export interface IamInstanceProfileAssociation {
  readonly associationId: string;
  readonly instanceId: string;
  readonly iamInstanceProfile: InstanceProfileRef;
  readonly timestamp: Date;
}

/** A replace-root-volume task: restores the root volume from a snapshot or an AMI. */
export interface ReplaceRootVolumeTask {
  readonly replaceRootVolumeTaskId: string;
  readonly instanceId: string;
  readonly imageId?: string;
  readonly snapshotId?: string;
  readonly deleteReplacedRootVolume: boolean;
  readonly startTime: Date;
  /** Epoch milliseconds at which the swap happens. */
  readonly completesAt: number;
  taskState: 'pending' | 'succeeded' | 'failed';
  completeTime?: Date;
}

/** One version of a launch template: its `LaunchTemplateData`, kept as the request sent it. */
export interface LaunchTemplateVersion {
  readonly versionNumber: number;
  readonly description?: string;
  /** The model's `RequestLaunchTemplateData`, whose members RunInstances takes as defaults. */
  readonly data: RequestLaunchTemplateData;
  readonly createTime: Date;
}

/** A launch template and its versions. */
export interface LaunchTemplate {
  readonly launchTemplateId: string;
  readonly launchTemplateName: string;
  readonly createTime: Date;
  defaultVersion: number;
  readonly versions: Map<number, LaunchTemplateVersion>;
}
