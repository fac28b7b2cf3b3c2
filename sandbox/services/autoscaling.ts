import { randomUUID } from 'node:crypto';
import { AwsError, type SandboxRequest, type SandboxResponse, type SandboxService } from '../protocol.ts';
import type { Ec2Service } from './ec2/ec2-service.ts';
import { paginate } from './ec2/filters.ts';
import { FormParams } from './ec2/form-params.ts';
import { queryResponse, type XmlObject } from './ec2/xml-response.ts';

const XMLNS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
const PAGE = { max: 'MaxRecords', token: 'NextToken', invalidTokenCode: 'InvalidNextToken' } as const;

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
interface AutoScalingContext {
  readonly params: FormParams;
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
export class AutoScalingService implements SandboxService {
  readonly signingNames: readonly string[] = ['autoscaling'];
  readonly protocol = 'query' as const;
  private readonly groups = new Map<string, Map<string, AutoScalingGroup>>();

  constructor(private readonly options: AutoScalingServiceOptions = {}) {}

  /** The ARN of a group, which holds the UUID chosen at its creation (IAM matches it). */
  groupArn(accountId: string, region: string, name: string): string | undefined {
    return this.groups.get(`${accountId}/${region}`)?.get(name)?.arn;
  }

  operation(req: SandboxRequest): string {
    return FormParams.fromRequest(req).string('Action') ?? 'Unknown';
  }

  async handle(req: SandboxRequest, operation: string): Promise<SandboxResponse> {
    const handler = OPERATIONS[operation];
    if (!handler)
      throw new AwsError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    const key = `${req.accountId}/${req.region}`;
    const groups = this.groups.get(key) ?? new Map<string, AutoScalingGroup>();
    this.groups.set(key, groups);
    const params = FormParams.fromRequest(req);
    const result = handler({ params, groups, req, instance: (id) => this.instance(req, id) });
    return queryResponse(operation, XMLNS, req.requestId, result);
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

function createGroup({ params, groups, req, instance }: AutoScalingContext): undefined {
  const name = params.required('AutoScalingGroupName', 'ValidationError');
  if (groups.has(name)) {
    throw new AwsError(
      'AlreadyExists',
      `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`,
    );
  }
  const launchTemplate = params.has('LaunchTemplate')
    ? {
        LaunchTemplateId: params.string('LaunchTemplate.LaunchTemplateId'),
        LaunchTemplateName: params.string('LaunchTemplate.LaunchTemplateName'),
        Version: params.string('LaunchTemplate.Version'),
      }
    : undefined;
  const launchConfigurationName = params.string('LaunchConfigurationName');
  const instanceId = params.string('InstanceId');
  if (!launchTemplate && !launchConfigurationName && !instanceId && !params.has('MixedInstancesPolicy')) {
    throw validation(
      'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
    );
  }
  const zones = params.list('AvailabilityZones.member');
  const vpcZoneIdentifier = params.string('VPCZoneIdentifier');
  const template = instanceId ? instance(instanceId) : undefined;
  const availabilityZones = zones.length > 0 ? zones : template ? [template.availabilityZone] : [];
  if (availabilityZones.length === 0 && !vpcZoneIdentifier) {
    throw validation('At least one Availability Zone or VPC Subnet is required.');
  }
  const minSize = params.requiredInt('MinSize', 'ValidationError');
  const maxSize = params.requiredInt('MaxSize', 'ValidationError');
  const desiredCapacity = params.int('DesiredCapacity') ?? minSize;
  checkCapacity(minSize, desiredCapacity, maxSize);
  groups.set(name, {
    name,
    arn: `arn:aws:autoscaling:${req.region}:${req.accountId}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`,
    minSize,
    maxSize,
    desiredCapacity,
    defaultCooldown: params.int('DefaultCooldown') ?? 300,
    availabilityZones: availabilityZones.length > 0 ? availabilityZones : [`${req.region}a`],
    vpcZoneIdentifier,
    launchTemplate,
    launchConfigurationName,
    healthCheckType: params.string('HealthCheckType') ?? 'EC2',
    healthCheckGracePeriod: params.int('HealthCheckGracePeriod') ?? 0,
    createdTime: new Date(),
    targetGroupArns: params.list('TargetGroupARNs.member'),
    tags: params.structs('Tags.member').map((tag) => ({
      Key: tag.required('Key', 'ValidationError'),
      Value: tag.string('Value') ?? '',
      PropagateAtLaunch: tag.bool('PropagateAtLaunch') ?? false,
    })),
    members: new Map(),
  });
  return undefined;
}

/** Attaching raises desired capacity by the number attached, within the group's maximum. */
function attachInstances({ params, groups, instance }: AutoScalingContext): undefined {
  const group = requireGroup(groups, params);
  const ids = params.list('InstanceIds.member');
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

function detachInstances({ params, groups }: AutoScalingContext): XmlObject {
  const group = requireGroup(groups, params);
  const decrement = params.bool('ShouldDecrementDesiredCapacity');
  if (decrement === undefined)
    throw validation("Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint");
  const ids = params.list('InstanceIds.member');
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

function requireGroup(groups: Map<string, AutoScalingGroup>, params: FormParams): AutoScalingGroup {
  const name = params.required('AutoScalingGroupName', 'ValidationError');
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
function matchesFilters(group: AutoScalingGroup, params: FormParams): boolean {
  return params.structs('Filters.member').every((filter) => {
    const name = filter.required('Name', 'ValidationError');
    const values = filter.list('Values.member');
    if (name.startsWith('tag:'))
      return group.tags.some((t) => t.Key === name.slice(4) && values.includes(t.Value));
    if (name === 'tag-key') return group.tags.some((t) => values.includes(t.Key));
    if (name === 'tag-value') return group.tags.some((t) => values.includes(t.Value));
    throw validation(`Filter type ${name} is not correct.`);
  });
}

function describeGroups({ params, groups }: AutoScalingContext): XmlObject {
  const names = params.list('AutoScalingGroupNames.member');
  const scope = names.length > 0 ? names.flatMap((n) => groups.get(n) ?? []) : [...groups.values()];
  const page = paginate(
    scope.filter((g) => matchesFilters(g, params)),
    params,
    PAGE,
  );
  return { AutoScalingGroups: page.items.map(groupView), NextToken: page.nextToken };
}

function describeInstances({ params, groups }: AutoScalingContext): XmlObject {
  const ids = params.list('InstanceIds.member');
  const rows = [...groups.values()].flatMap((group) =>
    [...group.members.values()]
      .filter((m) => ids.length === 0 || ids.includes(m.instanceId))
      .map((m) => ({ ...memberView(m, group), AutoScalingGroupName: group.name })),
  );
  const page = paginate(rows, params, PAGE);
  return { AutoScalingInstances: page.items, NextToken: page.nextToken };
}

const OPERATIONS: Readonly<Record<string, (ctx: AutoScalingContext) => XmlObject | undefined>> = {
  CreateAutoScalingGroup: createGroup,
  AttachInstances: attachInstances,
  DetachInstances: detachInstances,
  DescribeAutoScalingGroups: describeGroups,
  DescribeAutoScalingInstances: describeInstances,
};
