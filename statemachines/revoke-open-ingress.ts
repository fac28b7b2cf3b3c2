import path from 'node:path';
import { Stack, aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/revoke-open-ingress.ts';
import { awsCall } from './fragments/aws-call.ts';
import { withTarget } from './fragments/member-credentials.ts';
import { plannerFunction } from './fragments/planner.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const PLANNER_ENTRY = path.resolve(import.meta.dirname, '../functions/plan-ingress-revocation/handler.ts');

/**
 * Close a security group opened to the whole internet on a sensitive port: revoke exactly the
 * world-open rules the CloudTrail call added, by `sgr-` id (or, from Config, the group's
 * world-open rules on those ports), never any other rule of the group, then read the group
 * again to verify. Undo is re-adding the revoked rules recorded in the audit trail.
 */
export const revokeOpenIngress: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Record the rules as they are',
        does: "Reads the security group's inbound rules and picks the ones open to the whole internet on the ports the policy names. For a port probe GuardDuty reported on an instance: the rules of the instance's security groups open to the whole internet on the probed port.",
        states: [
          'Which resource?',
          'The group',
          "The instance's groups",
          'Read group rules',
          'Plan revocation',
          'Unsupported resource',
        ],
        ifItStops:
          'Nothing was changed. Check that the security group still exists; if the open rules are already gone, there is nothing to do.',
      },
      {
        title: 'Remove the open rules',
        does: 'Removes exactly those rules (0.0.0.0/0 and ::/0 on those ports), one call per security group. Other rules stay.',
        states: ['Revoke rules', 'Revoke rules of group'],
        ifItStops:
          'The rules may still be open. Remove them by hand in the EC2 console (Security groups > the group > Inbound rules).',
      },
      {
        title: 'Check the rules are gone',
        does: 'Reads the group again and confirms the open rules are no longer there.',
        states: ['Read rules again', 'Check revocation'],
        ifItStops: 'The rules were removed but could not be confirmed. Look at the group in the EC2 console.',
      },
    ],
    checkAfterwards: [
      'The security group no longer allows the internet on the ports named in the finding.',
      'The service behind the group still works for the people who should reach it.',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It adds the removed rules back.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const stack = Stack.of(scope);
    const groupArn = stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: '*' });

    const planner = plannerFunction(ctx, {
      id: 'PlanIngressRevocation',
      entry: PLANNER_ENTRY,
      description: 'Chooses the world-open ingress rules on sensitive ports that revoke-open-ingress revokes',
      human: steps.human,
    });
    const plan = (id: string, describedPath: string, resultPath: string) =>
      planner.invoke(
        id,
        {
          source: sfn.JsonPath.stringAt('$.finding.source'),
          resource: sfn.JsonPath.objectAt('$.finding.resource'),
          decision: sfn.JsonPath.objectAt('$.decision'),
          described: sfn.JsonPath.objectAt(describedPath),
        },
        resultPath,
      );
    // DescribeSecurityGroupRules has no resource-level permissions. A group holds at most 1,000
    // rules (inbound and outbound together), so one page of 1,000 is all of them.
    const readRules = (id: string, resultPath: string) =>
      steps.call(id, {
        service: 'ec2',
        action: 'describeSecurityGroupRules',
        parameters: {
          Filters: [{ Name: 'group-id', 'Values.$': '$.groups.groupIds' }],
          MaxResults: 1000,
        },
        iamResources: ['*'],
        resultPath,
      });

    // One call per group (an instance's probed port may be open in several of its groups).
    const revoke = steps.each(
      'Revoke rules',
      {
        itemsPath: '$.plan.groups',
        itemSelector: withTarget(scope, {
          'groupId.$': '$$.Map.Item.Value.groupId',
          'ruleIds.$': '$$.Map.Item.Value.ruleIds',
        }),
        maxConcurrency: 1,
        resultPath: '$.state.revoked',
      },
      awsCall(scope, 'Revoke rules of group', {
        service: 'ec2',
        action: 'revokeSecurityGroupIngress',
        parameters: { 'GroupId.$': '$.groupId', 'SecurityGroupRuleIds.$': '$.ruleIds' },
        // RevokeSecurityGroupIngress is authorized on the security group only, even when it names
        // rule ids (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
        iamResources: [groupArn],
      }),
    );
    const contain = revoke
      .next(
        steps.audit('Audit rules revoked', 'RevokeSecurityGroupIngress', 'succeeded', {
          beforePath: '$.plan.rules',
          afterPath: '$.state.revoked',
          detailsPath: '$.plan',
        }),
      )
      .next(readRules('Read rules again', '$.state.after'))
      .next(plan('Check revocation', '$.state.after', '$.verification'))
      .next(
        steps.verify(
          sfn.Condition.numberEquals('$.verification.count', 0),
          { afterPath: '$.state.after', detailsPath: '$.verification' },
          'world-open ingress revoked',
        ),
      );
    // The rule may be gone already (removed by hand, or by an earlier run): nothing to do.
    const auto = steps.unlessAlready({
      id: 'Anything to revoke?',
      already: sfn.Condition.numberEquals('$.plan.count', 0),
      audit: {
        id: 'Audit nothing to revoke',
        action: 'RevokeSecurityGroupIngress',
        paths: { beforePath: '$.state.before', detailsPath: '$.plan' },
      },
      endId: 'Nothing to revoke',
      contain,
    });

    // Dry-run and approval read the group too: the plan names the exact rules.
    const byMode = steps.byMode({
      proposedActions: [
        'Revoke the world-open ingress rules on sensitive ports that the finding names, or on the port GuardDuty saw probed (by sgr- id), and no other rule of the group',
        'Read the group again and record whether those rules are gone',
      ],
      ifDenied: 'The playbook ends: the security group keeps its rules.',
      contain: auto,
    });

    Validations.of(scope).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ec2:DescribeSecurityGroupRules supports no resource-level permissions; it is the only action of this playbook on Resource "*" and it only reads.',
      },
      {
        id: resourceWildcardFinding(scope, 'ec2:{region}:{account}:security-group/*'),
        reason:
          'The security group is named by the finding at run time; the role may only revoke ingress, and each call names the exact sgr- rule ids of the plan.',
      },
    );
    const read = readRules('Read group rules', '$.state.before')
      .next(plan('Plan revocation', '$.state.before', '$.plan'))
      .next(byMode);
    // A port-probe finding names an instance: its security groups, and the ports GuardDuty saw
    // probed from the internet, which are open to it (Recon:EC2/PortProbeUnprotectedPort,
    // https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-ec2.html#recon-ec2-portprobeunprotectedport).
    const groupsOf = (id: string, groupIds: string) =>
      new sfn.Pass(scope, id, { parameters: { 'groupIds.$': groupIds }, resultPath: '$.groups' }).next(read);
    const unsupported = steps.stop('Unsupported resource', {
      Error: 'UnsupportedResource',
      Cause: `${NAME} acts on a security group, or on an instance whose finding names its security groups and probed ports`,
    });
    return new sfn.Choice(scope, 'Which resource?')
      .when(
        sfn.Condition.isPresent('$.finding.resource.groupId'),
        groupsOf('The group', 'States.Array($.finding.resource.groupId)'),
      )
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.finding.resource.securityGroupIds[0]'),
          sfn.Condition.isPresent('$.finding.resource.probedPorts[0]'),
        ),
        groupsOf("The instance's groups", '$.finding.resource.securityGroupIds'),
      )
      .otherwise(unsupported);
  },
};
