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
import { MemberAwsCall } from '#statemachines/fragments/member-credentials.ts';
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

/** IAM's maximum role name length: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html */
export const ROLE_NAME_MAX = 64;
/** The longest region name AWS has (`ap-southeast-4`, `ap-northeast-3` and such: 14 characters). */
const LONGEST_REGION = 'ap-southeast-4';
/** The longest playbook name whose role name fits IAM's limit in every region. */
export const PLAYBOOK_NAME_MAX = ROLE_NAME_MAX - playbookRoleName('', LONGEST_REGION).length;

/** The fixed name of a playbook's state machine in an organization: the same in every region. */
export function playbookStateMachineName(playbook: string): string {
  return `remediation-${playbook}`;
}

/** The member role's ARN in `account` (`*` or a `{account}` placeholder allowed), in this partition. */
export function memberRoleArn(scope: IConstruct, account: string, roleName: string): string {
  return `arn:${Stack.of(scope).partition}:iam::${account}:role/${roleName}`;
}

/**
 * Exactly the permissions the playbooks use on a finding's resources: each playbook's state
 * machine is built (states only, no resources) and the policy statements of its SDK calls on a
 * finding's resources (`MemberAwsCall`, the tasks that take the member role's credentials in an
 * organization, fragments/member-credentials.ts) are kept. Calls on the product's own resources
 * (audit, topic, claims, follow-ups) are other task types and stay home. So the member role can
 * never drift from what the playbooks call, and a new playbook's calls join it by themselves.
 */
export function memberPermissions(
  scope: Construct,
  all: readonly StateMachineDefinition[],
  regions: readonly string[] = [],
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  for (const playbook of all) {
    const holder = new Construct(scope, `Playbook-${playbook.name}`);
    const functionCalls: iam.PolicyStatement[] = [];
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
      // A function acting on the finding's resources makes its calls as the member role too.
      createFunction: (id, props) => {
        functionCalls.push(...(props.memberAccess?.calls ?? []));
        return fn(id);
      },
      followUps: [],
    };
    // Binding the graph completes the states (a Parallel's branches), as a state machine would.
    new sfn.StateGraph(playbook.build(ctx).startState, playbook.name);
    // Built without the member role's context, the calls keep their own statements.
    const calls = holder.node.findAll().filter((c): c is MemberAwsCall => c instanceof MemberAwsCall);
    for (const statement of [...calls.flatMap(taskPoliciesOf), ...functionCalls]) {
      const json = statement.toStatementJson() as {
        Effect: string;
        Resource?: string | string[];
        Condition?: Record<string, Record<string, unknown>>;
      };
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

/** The statements CDK grants for a task's call (`taskPolicies`, set when the task is created). */
function taskPoliciesOf(task: MemberAwsCall): readonly iam.PolicyStatement[] {
  return (task as unknown as { taskPolicies?: iam.PolicyStatement[] }).taskPolicies ?? [];
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
