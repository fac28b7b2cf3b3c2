import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import type {
  CreateTargetGroupInput,
  DescribeTargetGroupsInput,
  TargetDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import { ModelService, type OperationHandler } from '../wire/model-service.ts';
import { tokenPage } from '../wire/pagination.ts';
import { ServiceModel } from '../wire/service-model.ts';
import type { Ec2Service } from './ec2/ec2-service.ts';

/** A registered target; a deregistered one drains until `drainingUntil`, then is gone. */
interface RegisteredTarget {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone?: string;
  drainingUntil?: number;
}

interface TargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly protocol?: string;
  readonly port?: number;
  readonly vpcId?: string;
  readonly targetType: string;
  readonly healthCheckPath?: string;
  /** Targets keyed by `id:port`: the same instance may be registered on several ports. */
  readonly targets: Map<string, RegisteredTarget>;
}

/** Options of the sandbox ELBv2 service. */
export interface ElbV2ServiceOptions {
  /** The sandbox EC2 service, to check instance targets exist, run, and sit in the group's VPC. */
  readonly ec2?: Ec2Service;
  /**
   * Milliseconds a deregistered target stays `draining` (AWS's deregistration delay).
   * @default 300000, the AWS default of 300 seconds
   */
  readonly deregistrationDelayMs?: number;
}

/** What an ELBv2 operation handler gets. */
// biome-ignore lint/suspicious/noExplicitAny: each handler reads its own operation's input shape
interface ElbContext<Input = any> {
  readonly params: Input;
  readonly groups: Map<string, TargetGroup>;
  readonly req: SandboxRequest;
  readonly now: number;
  readonly options: { ec2?: Ec2Service; deregistrationDelayMs: number };
}

const DelaySchema = z._default(z.number().check(z.int(), z.nonnegative()), 300_000);

/**
 * Elastic Load Balancing v2 target groups on the query protocol. AWS has no call that
 * lists the groups of an instance: callers walk DescribeTargetGroups and ask
 * DescribeTargetHealth about the instance in each, which is what this service supports.
 * Registered targets report `healthy` (as if the group served a load balancer).
 */
export class ElbV2Service extends ModelService {
  readonly signingNames: readonly string[] = ['elasticloadbalancing'];
  readonly protocol = 'query' as const;
  protected readonly model = new ServiceModel(
    '@aws-sdk/client-elastic-load-balancing-v2',
    'ElasticLoadBalancingV2Client',
  );
  private readonly groups = new Map<string, Map<string, TargetGroup>>();
  private readonly options: ElbContext['options'];
  protected readonly operations: Record<string, OperationHandler> = Object.fromEntries(
    Object.entries(OPERATIONS).map(([name, handler]) => [
      name,
      (req: SandboxRequest, params: object) => handler(this.context(req, params)),
    ]),
  );

  constructor(options: ElbV2ServiceOptions = {}) {
    super();
    this.options = {
      ec2: options.ec2,
      deregistrationDelayMs: DelaySchema.parse(options.deregistrationDelayMs),
    };
  }

  /** The caller's groups, with targets whose draining has ended gone. */
  private context(req: SandboxRequest, params: object): ElbContext {
    const key = `${req.accountId}/${req.region}`;
    const groups = this.groups.get(key) ?? new Map<string, TargetGroup>();
    this.groups.set(key, groups);
    const now = Date.now();
    for (const group of groups.values()) {
      for (const [k, t] of group.targets)
        if (t.drainingUntil !== undefined && t.drainingUntil <= now) group.targets.delete(k);
    }
    return { params, groups, req, now, options: this.options };
  }
}

function groupView(group: TargetGroup) {
  const http = group.protocol === 'HTTP' || group.protocol === 'HTTPS';
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    Protocol: group.protocol,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: http ? group.protocol : 'TCP',
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: http ? 5 : 10,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: http ? (group.healthCheckPath ?? '/') : undefined,
    Matcher: http ? { HttpCode: '200' } : undefined,
    LoadBalancerArns: [],
    TargetType: group.targetType,
    ProtocolVersion: http ? 'HTTP1' : undefined,
    IpAddressType: 'ipv4',
  };
}

function requireGroup({ params, groups }: ElbContext<{ TargetGroupArn: string }>): TargetGroup {
  const arn = params.TargetGroupArn;
  const group = groups.get(arn);
  if (!group) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
  return group;
}

function createTargetGroup(ctx: ElbContext<CreateTargetGroupInput & { Name: string }>): object {
  const { params, groups, req } = ctx;
  const name = params.Name;
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name)) {
    throw new AwsError(
      'ValidationError',
      `Target group name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`,
    );
  }
  const targetType = params.TargetType ?? 'instance';
  const protocol = params.Protocol;
  const port = params.Port;
  const vpcId = params.VpcId;
  if (targetType !== 'lambda' && (!protocol || port === undefined || !vpcId)) {
    throw new AwsError(
      'ValidationError',
      'A protocol, a port and a VPC ID must be specified for this target type',
    );
  }
  if (vpcId && ctx.options.ec2 && !ctx.options.ec2.state(req.accountId, req.region).vpcs.has(vpcId)) {
    throw new AwsError('ValidationError', `The VPC ID '${vpcId}' is not found`);
  }
  // Creating a group that exists with the same settings returns it, as AWS does.
  const existing = [...groups.values()].find((g) => g.name === name);
  if (existing) {
    const same = existing.protocol === protocol && existing.port === port && existing.vpcId === vpcId;
    if (!same) {
      throw new AwsError(
        'DuplicateTargetGroupName',
        `A target group with the same name '${name}' exists, but with different settings`,
      );
    }
    return { TargetGroups: [groupView(existing)] };
  }
  const suffix = randomBytes(8).toString('hex');
  const group: TargetGroup = {
    arn: `arn:aws:elasticloadbalancing:${req.region}:${req.accountId}:targetgroup/${name}/${suffix}`,
    name,
    protocol,
    port,
    vpcId,
    targetType,
    healthCheckPath: params.HealthCheckPath,
    targets: new Map(),
  };
  groups.set(group.arn, group);
  return { TargetGroups: [groupView(group)] };
}

function describeTargetGroups({ params, groups }: ElbContext<DescribeTargetGroupsInput>): object {
  const arns = params.TargetGroupArns ?? [];
  const names = params.Names ?? [];
  const all = [...groups.values()];
  const found =
    arns.length > 0
      ? all.filter((g) => arns.includes(g.arn))
      : names.length > 0
        ? all.filter((g) => names.includes(g.name))
        : all;
  const asked = arns.length > 0 ? arns.length : names.length;
  if (asked > 0 && found.length < asked)
    throw new AwsError('TargetGroupNotFound', 'One or more target groups not found');
  const page = tokenPage(found, {
    token: params.Marker,
    max: params.PageSize,
    invalidTokenCode: 'ValidationError',
  });
  return { TargetGroups: page.items.map(groupView), NextMarker: page.nextToken };
}

/** The targets of a request, each with its port (the group's port when not given). */
function requestedTargets(params: { Targets?: TargetDescription[] }, group: TargetGroup) {
  return (params.Targets ?? []).map((t) => ({
    id: t.Id as string,
    port: t.Port ?? group.port ?? 0,
    availabilityZone: t.AvailabilityZone,
  }));
}

/** Instance targets must be running instances in the group's VPC. */
function checkInstanceTargets(ctx: ElbContext, group: TargetGroup, ids: string[]): void {
  const ec2 = ctx.options.ec2;
  if (!ec2 || group.targetType !== 'instance') return;
  const instances = ids.map((id) => ({
    id,
    instance: ec2.findInstance(ctx.req.accountId, ctx.req.region, id),
  }));
  const notRunning = instances
    .filter(({ instance }) => instance?.state !== 'running')
    .map(({ id }) => `'${id}'`);
  if (notRunning.length > 0) {
    throw new AwsError(
      'InvalidTarget',
      `The following targets are not in a running state and cannot be registered: ${notRunning.join(', ')}`,
    );
  }
  const elsewhere = instances
    .filter(({ instance }) => instance?.vpcId !== group.vpcId)
    .map(({ id }) => `'${id}'`);
  if (elsewhere.length > 0) {
    throw new AwsError(
      'InvalidTarget',
      `The following targets are not in the target group VPC '${group.vpcId}': ${elsewhere.join(', ')}`,
    );
  }
}

function registerTargets(ctx: ElbContext): object {
  const group = requireGroup(ctx);
  const targets = requestedTargets(ctx.params, group);
  checkInstanceTargets(
    ctx,
    group,
    targets.map((t) => t.id),
  );
  for (const target of targets) group.targets.set(`${target.id}:${target.port}`, { ...target });
  return {};
}

/** A target that is not registered (on that port) is ignored, without error, as AWS does. */
function deregisterTargets(ctx: ElbContext): object {
  const group = requireGroup(ctx);
  for (const target of requestedTargets(ctx.params, group)) {
    const registered = group.targets.get(`${target.id}:${target.port}`);
    if (registered && registered.drainingUntil === undefined) {
      registered.drainingUntil = ctx.now + ctx.options.deregistrationDelayMs;
      if (ctx.options.deregistrationDelayMs === 0) group.targets.delete(`${target.id}:${target.port}`);
    }
  }
  return {};
}

function healthOf(target: RegisteredTarget | undefined) {
  if (!target)
    return {
      State: 'unused',
      Reason: 'Target.NotRegistered',
      Description: 'Target is not registered to the target group',
    };
  if (target.drainingUntil !== undefined) {
    return {
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    };
  }
  return { State: 'healthy' };
}

/**
 * Asking an instance group about an instance that does not exist or sits in another VPC is
 * refused with InvalidTarget ("The specified target does not exist, is not in the same VPC as the
 * target group, or has an unsupported instance type",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html).
 */
function checkAskedInstances(ctx: ElbContext, group: TargetGroup, ids: string[]): void {
  const ec2 = ctx.options.ec2;
  if (!ec2 || group.targetType !== 'instance') return;
  const invalid = ids.filter(
    (id) => ec2.findInstance(ctx.req.accountId, ctx.req.region, id)?.vpcId !== group.vpcId,
  );
  if (invalid.length > 0) {
    throw new AwsError(
      'InvalidTarget',
      'The specified target does not exist, is not in the same VPC as the target group, or has an unsupported instance type.',
    );
  }
}

function describeTargetHealth(ctx: ElbContext): object {
  const group = requireGroup(ctx);
  const asked = requestedTargets(ctx.params, group);
  checkAskedInstances(
    ctx,
    group,
    asked.map((t) => t.id),
  );
  const rows =
    asked.length > 0
      ? asked.map((t) => ({ target: t, registered: group.targets.get(`${t.id}:${t.port}`) }))
      : [...group.targets.values()].map((t) => ({ target: t, registered: t }));
  return {
    TargetHealthDescriptions: rows.map(({ target, registered }) => ({
      Target: { Id: target.id, Port: target.port, AvailabilityZone: target.availabilityZone },
      HealthCheckPort: String(target.port),
      TargetHealth: healthOf(registered),
    })),
  };
}

const OPERATIONS: Readonly<Record<string, (ctx: ElbContext) => object>> = {
  CreateTargetGroup: createTargetGroup,
  DescribeTargetGroups: describeTargetGroups,
  RegisterTargets: registerTargets,
  DeregisterTargets: deregisterTargets,
  DescribeTargetHealth: describeTargetHealth,
};
