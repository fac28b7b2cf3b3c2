import {
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_lambda as lambda,
  Stack,
  aws_stepfunctions as sfn,
  aws_sns as sns,
  Token,
} from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import type { PlaybookContext, StateMachineDefinition } from '#statemachines/playbook.ts';

/** What every playbook role name in the security account starts with; member roles trust this prefix. */
export const PLAYBOOK_ROLE_PREFIX = 'remediation-playbook-';

/**
 * The fixed name of a playbook's state machine role in the security account. IAM is global and
 * the security stack is deployed once per region, so the name carries the region it runs in.
 */
export function playbookRoleName(playbook: string, region: string): string {
  return `${PLAYBOOK_ROLE_PREFIX}${playbook}-${region}`;
}

/** The fixed name of a playbook's state machine in an organization: the same in every region. */
export function playbookStateMachineName(playbook: string): string {
  return `remediation-${playbook}`;
}

/** The member role's ARN in `account` (`*` or a `{account}` placeholder allowed), in this partition. */
export function memberRoleArn(scope: IConstruct, account: string, roleName: string): string {
  return `arn:${Stack.of(scope).partition}:iam::${account}:role/${roleName}`;
}

/**
 * Services whose calls act on a finding's resources (in the member account); the rest stay home.
 * `kms`: EC2 uses the caller's permissions on the customer managed key of an encrypted volume or
 * image it restores or launches from, the member account's key
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html).
 */
const MEMBER_SERVICES = [
  'ec2',
  'iam',
  'autoscaling',
  'elasticloadbalancing',
  'cloudtrail',
  'config',
  's3',
  'kms',
  'rds',
  'lambda',
];

/** Calls on the product's own resources in the security account, never on a finding's resource. */
const HOME_ACTIONS = new Set(['lambda:InvokeFunction']);

/**
 * Exactly the permissions the playbooks use on a finding's resources: each playbook's state
 * machine is built (states only, no resources) and its graph's policy statements are kept where
 * every action is on a member service. So the member role can never drift from what the
 * playbooks call, and a new playbook call joins it by itself.
 */
export function memberPermissions(
  scope: Construct,
  all: readonly StateMachineDefinition[],
  regions: readonly string[] = [],
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  for (const playbook of all) {
    const holder = new Construct(scope, `Playbook-${playbook.name}`);
    const placeholder = (service: string, resource: string) =>
      `arn:${Stack.of(scope).partition}:${service}:${Stack.of(scope).region}:${Stack.of(scope).account}:${resource}`;
    const fn = (id: string) =>
      lambda.Function.fromFunctionArn(holder, id, placeholder('lambda', `function:${id}`));
    const ctx: PlaybookContext = {
      scope: holder,
      auditTable: dynamodb.Table.fromTableName(holder, 'AuditTable', 'audit-trail'),
      claims: dynamodb.Table.fromTableName(holder, 'Claims', 'claims'),
      topic: sns.Topic.fromTopicArn(holder, 'Topic', placeholder('sns', 'notifications')),
      approvalRequest: fn('ApprovalRequest'),
      auditAppender: fn('AuditAppender'),
      createFunction: (id) => fn(id),
      followUps: [],
    };
    const definition = playbook.build(ctx);
    const graph = new sfn.StateGraph(definition.startState, playbook.name);
    for (const statement of graph.policyStatements) {
      const json = statement.toStatementJson() as {
        Effect: string;
        Action: string | string[];
        Resource?: string | string[];
        Condition?: Record<string, Record<string, unknown>>;
      };
      const actions = [json.Action].flat();
      if (
        json.Effect === 'Allow' &&
        actions.every((a) => MEMBER_SERVICES.includes(a.split(':')[0] ?? '') && !HOME_ACTIONS.has(a))
      )
        statements.push(
          iam.PolicyStatement.fromJson({
            ...json,
            Resource: anyRegion(scope, json.Resource),
            Condition: inEveryRegion(scope, json.Condition, regions),
          }),
        );
    }
  }
  return statements;
}

/**
 * One member role serves every region the security stack runs in (IAM is global): the regional
 * ARNs the playbooks were built with name the building stack's region, so it becomes `*`.
 */
function anyRegion(
  scope: IConstruct,
  resource: string | string[] | undefined,
): string | string[] | undefined {
  if (resource === undefined) return undefined;
  const region = Stack.of(scope).region;
  const widen = (arn: string) => arn.split(`:${region}:`).join(':*:');
  return Array.isArray(resource) ? resource.map(widen) : widen(resource);
}

/**
 * Condition values naming the building stack's region (`kms:ViaService` `ec2.<region>.amazonaws.com`)
 * name each region the security stack runs in instead: the one member role serves them all. With
 * no regions configured, the region the member stack is deployed in.
 */
function inEveryRegion(
  scope: IConstruct,
  condition: Record<string, Record<string, unknown>> | undefined,
  regions: readonly string[],
): Record<string, Record<string, unknown>> | undefined {
  if (condition === undefined || regions.length === 0) return condition;
  const region = Stack.of(scope).region;
  const each = (value: unknown): unknown =>
    typeof value === 'string' && value.includes(region)
      ? regions.map((r) => value.split(region).join(r))
      : value;
  return Object.fromEntries(
    Object.entries(condition).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries(keys).map(([key, value]) => [key, each(value)])),
    ]),
  );
}

/** A cdk-nag finding id of a playbook's regional resource, as it reads once widened to every region. */
export function anyRegionFinding(scope: IConstruct, id: string): string {
  const region = Stack.of(scope).region;
  const rendered = Token.isUnresolved(region) ? '<AWS::Region>' : region;
  return id.split(`:${rendered}:`).join(':*:');
}
