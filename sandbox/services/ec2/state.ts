import type { FlowLogRecord } from './flow-logs.ts';
import type {
  IamInstanceProfileAssociation,
  Image,
  Instance,
  LaunchTemplate,
  NetworkInterface,
  ReplaceRootVolumeTask,
  SecurityGroup,
  SecurityGroupRule,
  Snapshot,
  Subnet,
  Volume,
  Vpc,
} from './resources.ts';

/** How long the asynchronous EC2 operations take in the sandbox. */
export interface Ec2Timing {
  /** Milliseconds a snapshot stays `pending`. */
  readonly snapshotDelayMs: number;
  /** Milliseconds a replace-root-volume task stays `pending`. */
  readonly replaceRootVolumeDelayMs: number;
}

/** Every EC2 resource of one account and region, plus the tags on them. */
export class Ec2State {
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly securityGroupRules = new Map<string, SecurityGroupRule>();
  readonly networkInterfaces = new Map<string, NetworkInterface>();
  readonly instances = new Map<string, Instance>();
  readonly volumes = new Map<string, Volume>();
  readonly snapshots = new Map<string, Snapshot>();
  readonly images = new Map<string, Image>();
  readonly iamInstanceProfileAssociations = new Map<string, IamInstanceProfileAssociation>();
  readonly replaceRootVolumeTasks = new Map<string, ReplaceRootVolumeTask>();
  readonly launchTemplates = new Map<string, LaunchTemplate>();
  readonly flowLogs = new Map<string, FlowLogRecord>();
  /** EBS encryption by default (per account and Region; off in a new account). */
  ebsEncryptionByDefault = false;
  /** Tags by resource id; EC2 tags every resource type the same way. */
  readonly tags = new Map<string, Map<string, string>>();

  constructor(
    readonly accountId: string,
    readonly region: string,
    readonly timing: Ec2Timing,
  ) {}

  /** The tags of a resource as EC2 lists them (`Tags`); EC2 omits the element when there are none. */
  tagSet(resourceId: string): { Key: string; Value: string }[] | undefined {
    const tags = this.tags.get(resourceId);
    if (!tags || tags.size === 0) return undefined;
    return [...tags].map(([Key, Value]) => ({ Key, Value }));
  }

  /** Add or overwrite tags on a resource. */
  putTags(resourceId: string, tags: Iterable<readonly [string, string]>): void {
    const existing = this.tags.get(resourceId) ?? new Map<string, string>();
    for (const [key, value] of tags) existing.set(key, value);
    if (existing.size > 0) this.tags.set(resourceId, existing);
  }

  /** The tag value of `key` on a resource. */
  tag(resourceId: string, key: string): string | undefined {
    return this.tags.get(resourceId)?.get(key);
  }

  /** Forget a deleted resource and its tags. */
  forget(resourceId: string, from: Map<string, unknown>): void {
    from.delete(resourceId);
    this.tags.delete(resourceId);
  }

  /** The ENIs attached to an instance, primary (device index 0) first. */
  interfacesOf(instanceId: string): NetworkInterface[] {
    return [...this.networkInterfaces.values()]
      .filter((eni) => eni.attachment?.instanceId === instanceId)
      .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
  }

  /** The volumes attached to an instance, in attachment order. */
  volumesOf(instanceId: string): Volume[] {
    return [...this.volumes.values()].filter((volume) => volume.attachment?.instanceId === instanceId);
  }

  /** The instance's current IAM instance profile association, if any. */
  associationOf(instanceId: string): IamInstanceProfileAssociation | undefined {
    return [...this.iamInstanceProfileAssociations.values()].find((a) => a.instanceId === instanceId);
  }
}
