import { randomUUID } from 'node:crypto';
import type {
  AttachInstancesQuery,
  AutoScalingGroupNamesType,
  AutoScalingInstanceDetails,
  CreateAutoScalingGroupType,
  DescribeAutoScalingInstancesType,
  DetachInstancesQuery,
  Filter,
} from '@aws-sdk/client-auto-scaling';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { tokenPage } from '../wire/pagination.ts';
import { ServiceModel } from '../wire/service-model.ts';
import type { Ec2Service } from './ec2/ec2-service.ts';

const INVALID_TOKEN = 'InvalidNextToken';

/** An instance in a group, as Auto Scaling tracks it. */
interface GroupMember {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
}

/** An Auto Scaling group. The sandbox launches nothing: its members are the instances attached to it. */
interface AutoScalingGroup {
  readonly name: string;
  readonly arn: string;
  readonly minSize: number;
  readonly maxSize: number;
  desiredCapacity: number;
  readonly defaultCooldown: number;
  readonly availabilityZones: string[];
  readonly vpcZoneIdentifier?: string;
  readonly launchTemplate?: { LaunchTemplateId?: string; LaunchTemplateName?: string; Version?: string };
  readonly launchConfigurationName?: string;
  readonly healthCheckType: string;
  readonly healthCheckGracePeriod: number;
  readonly createdTime: Date;
  readonly targetGroupArns: string[];
  readonly tags: { Key: string; Value: string; PropagateAtLaunch: boolean }[];
  readonly members: Map<string, GroupMember>;
}

/** Options of the sandbox Auto Scaling service. */
export interface AutoScalingServiceOptions {
  /** The sandbox EC2 service, to check attached instances exist and learn their type and zone. */
  readonly ec2?: Ec2Service;
}

function validation(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

function checkCapacity(min: number, desired: number, max: number): void {
  if (desired < min || desired > max) {
    throw validation(
      `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
    );
  }
}

/** What an Auto Scaling operation handler gets. */
interface AutoScalingContext<Input> {
  readonly params: Input;
  readonly groups: Map<string, AutoScalingGroup>;
  readonly req: SandboxRequest;
  /** The instance as EC2 knows it (its type and zone), or a ValidationError. */
  readonly instance: (instanceId: string) => GroupMember;
}

/**
 * Amazon EC2 Auto Scaling on the query protocol: just enough to seed groups (Create +
 * AttachInstances) and to take an instance out of its group the way containment must:
 * DetachInstances without decrementing desired capacity. A real group would then launch a
 * replacement; the sandbox keeps the desired capacity and simply drops the instance.
 */
export class AutoScalingService extends ModelService {
  readonly signingNames: readonly string[] = ['autoscaling'];
  readonly protocol = 'query' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-auto-scaling', 'AutoScalingClient');
  private readonly groups = new Map<string, Map<string, AutoScalingGroup>>();
  protected readonly operations: Record<string, OperationHandler> = Object.fromEntries(
    Object.entries(OPERATIONS).map(([name, handler]) => [
      name,
      (req: SandboxRequest, params: object) => {
        const key = `${req.accountId}/${req.region}`;
        const groups = this.groups.get(key) ?? new Map<string, AutoScalingGroup>();
        this.groups.set(key, groups);
        return handler({ params, groups, req, instance: (id) => this.instance(req, id) });
      },
    ]),
  );

  constructor(private readonly options: AutoScalingServiceOptions = {}) {
    super();
  }

  /** The ARN of a group, which holds the UUID chosen at its creation (IAM matches it). */
  groupArn(accountId: string, region: string, name: string): string | undefined {
    return this.groups.get(`${accountId}/${region}`)?.get(name)?.arn;
  }

  /** Any id is accepted when no EC2 service is wired in. */
  private instance(req: SandboxRequest, instanceId: string): GroupMember {
    const ec2 = this.options.ec2;
    if (!ec2) return { instanceId, instanceType: 't3.micro', availabilityZone: `${req.region}a` };
    const found = ec2.findInstance(req.accountId, req.region, instanceId);
    if (found?.state !== 'running') throw validation(`Invalid Instance ID(s): [${instanceId}] specified`);
    return { instanceId, instanceType: found.instanceType, availabilityZone: found.availabilityZone };
  }
}

type CreateGroupInput = WithRequired<
  CreateAutoScalingGroupType,
  'AutoScalingGroupName' | 'MinSize' | 'MaxSize'
>;

function createGroup({ params, groups, req, instance }: AutoScalingContext<CreateGroupInput>): undefined {
  const name = params.AutoScalingGroupName;
  if (groups.has(name)) {
    throw new AwsError(
      'AlreadyExists',
      `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`,
    );
  }
  const launchTemplate = params.LaunchTemplate;
  const launchConfigurationName = params.LaunchConfigurationName;
  const instanceId = params.InstanceId;
  if (!launchTemplate && !launchConfigurationName && !instanceId && !params.MixedInstancesPolicy) {
    throw validation(
      'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
    );
  }
  const zones = params.AvailabilityZones ?? [];
  const vpcZoneIdentifier = params.VPCZoneIdentifier;
  const template = instanceId ? instance(instanceId) : undefined;
  const availabilityZones = zones.length > 0 ? zones : template ? [template.availabilityZone] : [];
  if (availabilityZones.length === 0 && !vpcZoneIdentifier) {
    throw validation('At least one Availability Zone or VPC Subnet is required.');
  }
  const minSize = params.MinSize;
  const maxSize = params.MaxSize;
  const desiredCapacity = params.DesiredCapacity ?? minSize;
  checkCapacity(minSize, desiredCapacity, maxSize);
  groups.set(name, {
    name,
    arn: `arn:aws:autoscaling:${req.region}:${req.accountId}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`,
    minSize,
    maxSize,
    desiredCapacity,
    defaultCooldown: params.DefaultCooldown ?? 300,
    availabilityZones: availabilityZones.length > 0 ? availabilityZones : [`${req.region}a`],
    vpcZoneIdentifier,
    launchTemplate,
    launchConfigurationName,
    healthCheckType: params.HealthCheckType ?? 'EC2',
    healthCheckGracePeriod: params.HealthCheckGracePeriod ?? 0,
    createdTime: new Date(),
    targetGroupArns: params.TargetGroupARNs ?? [],
    tags: (params.Tags ?? []).map((tag) => ({
      Key: tag.Key as string,
      Value: tag.Value ?? '',
      PropagateAtLaunch: tag.PropagateAtLaunch ?? false,
    })),
    members: new Map(),
  });
  return undefined;
}

/** Attaching raises desired capacity by the number attached, within the group's maximum. */
function attachInstances({
  params,
  groups,
  instance,
}: AutoScalingContext<WithRequired<AttachInstancesQuery, 'AutoScalingGroupName'>>): undefined {
  const group = requireGroup(groups, params.AutoScalingGroupName);
  const ids = params.InstanceIds ?? [];
  for (const id of ids) {
    const owner = [...groups.values()].find((g) => g.members.has(id));
    if (owner)
      throw validation(`The instance ${id} is already part of the Auto Scaling group ${owner.name}.`);
  }
  const members = ids.map((id) => instance(id));
  checkCapacity(group.minSize, group.desiredCapacity + members.length, group.maxSize);
  group.desiredCapacity += members.length;
  for (const member of members) group.members.set(member.instanceId, member);
  return undefined;
}

function detachInstances({
  params,
  groups,
}: AutoScalingContext<
  WithRequired<DetachInstancesQuery, 'AutoScalingGroupName' | 'ShouldDecrementDesiredCapacity'>
>): object {
  const group = requireGroup(groups, params.AutoScalingGroupName);
  const decrement = params.ShouldDecrementDesiredCapacity;
  const ids = params.InstanceIds ?? [];
  const absent = ids.find((id) => !group.members.has(id));
  if (absent) throw validation(`The instance ${absent} is not part of Auto Scaling group ${group.name}.`);
  const before = group.desiredCapacity;
  if (decrement) {
    checkCapacity(group.minSize, before - ids.length, group.maxSize);
    group.desiredCapacity -= ids.length;
  }
  const now = new Date();
  const activities = ids.map((id) => {
    const member = group.members.get(id) as GroupMember;
    group.members.delete(id);
    const shrink = decrement ? `, shrinking the capacity from ${before} to ${group.desiredCapacity}` : '';
    return {
      ActivityId: randomUUID(),
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      Description: `Detaching EC2 instance: ${id}`,
      Cause: `At ${now.toISOString()} instance ${id} was detached in response to a user request${shrink}.`,
      StartTime: now,
      StatusCode: 'InProgress',
      Progress: 50,
      Details: JSON.stringify({ 'Availability Zone': member.availabilityZone }),
    };
  });
  return { Activities: activities };
}

function requireGroup(groups: Map<string, AutoScalingGroup>, name: string): AutoScalingGroup {
  const group = groups.get(name);
  if (!group) throw validation(`AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);
  return group;
}

function memberView(member: GroupMember, group: AutoScalingGroup) {
  return {
    InstanceId: member.instanceId,
    InstanceType: member.instanceType,
    AvailabilityZone: member.availabilityZone,
    LifecycleState: 'InService',
    HealthStatus: 'Healthy',
    LaunchConfigurationName: group.launchConfigurationName,
    LaunchTemplate: group.launchTemplate,
    ProtectedFromScaleIn: false,
  };
}

function groupView(group: AutoScalingGroup) {
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    LaunchConfigurationName: group.launchConfigurationName,
    LaunchTemplate: group.launchTemplate,
    MinSize: group.minSize,
    MaxSize: group.maxSize,
    DesiredCapacity: group.desiredCapacity,
    DefaultCooldown: group.defaultCooldown,
    AvailabilityZones: group.availabilityZones,
    LoadBalancerNames: [],
    TargetGroupARNs: group.targetGroupArns,
    HealthCheckType: group.healthCheckType,
    HealthCheckGracePeriod: group.healthCheckGracePeriod,
    Instances: [...group.members.values()].map((m) => memberView(m, group)),
    CreatedTime: group.createdTime,
    SuspendedProcesses: [],
    VPCZoneIdentifier: group.vpcZoneIdentifier,
    EnabledMetrics: [],
    Tags: group.tags.map((tag) => ({ ResourceId: group.name, ResourceType: 'auto-scaling-group', ...tag })),
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: false,
  };
}

/** Tag filters (`tag:Key`, `tag-key`, `tag-value`) as DescribeAutoScalingGroups applies them. */
function matchesFilters(group: AutoScalingGroup, filters: Filter[]): boolean {
  return filters.every((filter) => {
    const name = filter.Name as string;
    const values = filter.Values ?? [];
    if (name.startsWith('tag:'))
      return group.tags.some((t) => t.Key === name.slice(4) && values.includes(t.Value));
    if (name === 'tag-key') return group.tags.some((t) => values.includes(t.Key));
    if (name === 'tag-value') return group.tags.some((t) => values.includes(t.Value));
    throw validation(`Filter type ${name} is not correct.`);
  });
}

function describeGroups({ params, groups }: AutoScalingContext<AutoScalingGroupNamesType>): object {
  const names = params.AutoScalingGroupNames ?? [];
  const scope = names.length > 0 ? names.flatMap((n) => groups.get(n) ?? []) : [...groups.values()];
  const page = tokenPage(
    scope.filter((g) => matchesFilters(g, params.Filters ?? [])),
    { token: params.NextToken, max: params.MaxRecords, invalidTokenCode: INVALID_TOKEN },
  );
  return { AutoScalingGroups: page.items.map(groupView), NextToken: page.nextToken };
}

function describeInstances({ params, groups }: AutoScalingContext<DescribeAutoScalingInstancesType>): object {
  const ids = params.InstanceIds ?? [];
  const rows = [...groups.values()].flatMap((group) =>
    [...group.members.values()]
      .filter((m) => ids.length === 0 || ids.includes(m.instanceId))
      .map((m) => ({ ...memberView(m, group), AutoScalingGroupName: group.name })),
  );
  const page = tokenPage<AutoScalingInstanceDetails>(rows, {
    token: params.NextToken,
    max: params.MaxRecords,
    invalidTokenCode: INVALID_TOKEN,
  });
  return { AutoScalingInstances: page.items, NextToken: page.nextToken };
}

// biome-ignore lint/suspicious/noExplicitAny: each handler reads its own operation's input shape
const OPERATIONS: Readonly<Record<string, (ctx: AutoScalingContext<any>) => object | undefined>> = {
  CreateAutoScalingGroup: createGroup,
  AttachInstances: attachInstances,
  DetachInstances: detachInstances,
  DescribeAutoScalingGroups: describeGroups,
  DescribeAutoScalingInstances: describeInstances,
};
