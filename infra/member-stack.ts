import path from 'node:path';
import { Aws, CfnOutput, aws_iam as iam, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { resourceWildcardFinding } from '#statemachines/fragments/wildcard-acknowledgement.ts';
import { playbooks } from '#statemachines/registry.ts';
import { undoPlaybook } from '#statemachines/undo.ts';
import type { StackConfig } from './config.ts';
import {
  eventBusArn,
  forwardEvents,
  GLOBAL_SOURCES,
  globalEventsRegion,
} from './constructs/event-forwarding.ts';
import { anyRegionFinding, memberPermissions, playbookRoleName } from './constructs/member-access.ts';
import { OrganizationBus } from './constructs/organization-bus.ts';
import { protectedPrincipalsDeny } from './constructs/protected-principals.ts';

/** Props of {@link MemberStack}. */
export interface MemberStackProps extends StackProps {
  readonly config: StackConfig & { organizationId: string; securityAccountId: string };
  /**
   * Forward this account's CloudTrail drift, defence evasion, data sharing, root activity and Config compliance events to the
   * security account's bus (GuardDuty and Security Hub findings reach the delegated administrator
   * on their own): of this stack's region, or for root activity (delivered in us-east-1 only) of
   * the region that handles global-service events. @default true
   */
  readonly forwardEvents?: boolean;
  /**
   * Create the `RemediationExecutionRole`. IAM is global, so an account has it once: in one region
   * (the member stack), while the other regions deploy only the forwarding rules
   * (`AutoRemediationMemberRegion`). @default true
   */
  readonly executionRole?: boolean;
  /**
   * The policy's `protectedPrincipals`: the execution role is explicitly denied every IAM action
   * on them. @default those of the policy file `config.policyFile`
   */
  readonly protectedPrincipals?: readonly string[];
}

/**
 * The sources a member forwards: what only the member account's own bus sees. DefenseEvasion's
 * calls (event selectors, trail, GuardDuty, Config, flow logs) are recorded by the member's own
 * CloudTrail, so without forwarding the playbooks that restore them never hear of a member.
 * Malware Protection for S3 publishes scan results to the bucket owner's default bus only
 * (https://docs.aws.amazon.com/guardduty/latest/ug/monitor-with-eventbridge-s3-malware-protection.html).
 */
const FORWARDED = [
  'CloudTrailDrift',
  'RootActivity',
  'ConfigCompliance',
  'DataSharedOut',
  'DefenseEvasion',
  'MalwareScanResult',
] as const;

/**
 * What every member account of the organization deploys (with StackSets or `cdk deploy`): the
 * role the security account's playbooks act as, trusted only by those playbooks' roles and only
 * from inside the organization, holding exactly the actions the playbooks call; and, optionally,
 * a rule forwarding this account's drift events to the security account.
 */
export class MemberStack extends Stack {
  public readonly executionRole?: iam.Role;
  /** The execution role's policy: the playbooks' actions, and the Deny that protects the protected. */
  public readonly playbookActions?: iam.Policy;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, props);
    const { config } = props;
    const security = config.securityAccountId;
    if (props.executionRole ?? true) {
      // The security account's playbook roles (undo's too) of every region the security stack runs
      // in, by their fixed name pattern (`remediation-playbook-<playbook>-<region>`), and only from
      // inside the organization. Named in a condition, not as principals: a role ARN as principal
      // must exist when the trust is saved, and a role deleted and recreated would no longer match it.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
      // A pattern per region, not every role's ARN: IAM caps a trust policy at 4,096 characters,
      // which 28 playbooks in two regions already exceed. What the pattern admits beyond the
      // playbooks' roles is a role someone creates in the security account under that name; whoever
      // may create roles there may as well change a playbook role's own trust, so the pattern
      // trusts no one the exact list did not already depend on.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
      this.executionRole = new iam.Role(this, 'RemediationExecutionRole', {
        roleName: config.memberRoleName,
        description: `Assumed by the remediation playbooks of security account ${security}`,
        assumedBy: new iam.AccountPrincipal(security).withConditions({
          StringEquals: { 'aws:PrincipalOrgID': config.organizationId },
          ArnLike: { 'aws:PrincipalArn': playbookRolePatterns(this, security, config.regions) },
        }),
      });
      // Built in a scope of its own: the playbooks' states are read for their permissions, never deployed.
      const built = new Construct(this, 'PlaybookPermissions');
      // Undo reverses the playbooks' changes in the member account, as this role too.
      const undo = undoPlaybook({ mode: 'approve', undoable: [] });
      const permissions = memberPermissions(built, [...playbooks, undo], config.regions);
      const actions = new iam.Policy(this, 'PlaybookActions', {
        roles: [this.executionRole],
        document: new iam.PolicyDocument({ statements: permissions, minimize: true }),
      });
      this.playbookActions = actions;
      // The same wildcard resources as the playbooks' own roles, for the same reasons: carried over.
      Validations.of(actions).acknowledge(
        ...playbookAcknowledgements(built).map(({ id, reason }) => ({
          id: anyRegionFinding(this, id),
          reason: `${reason} In every region the security stack runs in: one role serves them all.`,
        })),
        ...memberAcknowledgements(this),
      );
      new CfnOutput(this, 'RemediationExecutionRoleArn', { value: this.executionRole.roleArn });
    }
    let forwarder: iam.Role | undefined;

    if (props.forwardEvents ?? true) {
      // The security account's bus of the region this stack is deployed in (the template is
      // environment-agnostic, so that is `AWS::Region` when CloudFormation deploys it), except for
      // the global-service events: AWS delivers them in us-east-1 only, so they go from there to
      // the region whose security stack handles them.
      const home = globalEventsRegion(config.regions);
      forwarder = forwardEvents(this, {
        to: `the security account ${security}`,
        sources: FORWARDED.map((source) => ({
          source,
          busArn: eventBusArn(
            security,
            OrganizationBus.DEFAULT_NAME,
            GLOBAL_SOURCES.includes(source) ? home : Aws.REGION,
          ),
        })),
      }).role;
    }

    if (this.executionRole && this.playbookActions) {
      // The role may change users' and roles' policies and pass roles to EC2 on `user/*` and
      // `role/*` (the finding's principal is known only at run time): never on a protected
      // principal, on itself, or on this stack's other role.
      const patterns =
        props.protectedPrincipals ?? loadPolicyFile(path.resolve(config.policyFile)).protectedPrincipals;
      const ownRoles = [this.executionRole.roleArn, ...(forwarder ? [forwarder.roleArn] : [])];
      // In the role's one policy: IAM adds up a role's inline policies against one size quota anyway.
      this.playbookActions.addStatements(protectedPrincipalsDeny(patterns, ownRoles));
    }
  }
}

/**
 * The ARN patterns of the security account's playbook roles, undo's included: their names are
 * fixed (`remediation-playbook-<playbook>-<region>`), one pattern per region the security stack
 * runs in (`regions`, or this stack's own region).
 */
function playbookRolePatterns(scope: Stack, security: string, regions: readonly string[]): string[] {
  const where = regions.length > 0 ? regions : [scope.region];
  return where.map(
    (region) => `arn:${scope.partition}:iam::${security}:role/${playbookRoleName('*', region)}`,
  );
}

/** The acknowledgements the playbooks made on their own scopes, with their reasons. */
function playbookAcknowledgements(scope: Construct): { id: string; reason: string }[] {
  const seen = new Map<string, string>();
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
        if (!seen.has(id)) seen.set(id, reason);
    }
  }
  return [...seen].map(([id, reason]) => ({ id, reason }));
}

/** What the security stack acknowledges at stack level, for the statements the member role shares. */
const memberAcknowledgements = (scope: Construct) => [
  {
    id: resourceWildcardFinding(scope, 'iam::{account}:user/*'),
    reason:
      'disable-access-key acts on the IAM user a finding names, known only at run time; only the few actions it calls, on IAM users of this account.',
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only the EC2, Auto Scaling, ELBv2 and ECS (DescribeTaskDefinition) Describe* reads the playbooks make, which support no resource-level permissions; AWS documents Resource "*" for them.',
  },
];
