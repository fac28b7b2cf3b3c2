import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/close-default-security-group.ts';
import { awsCall } from './fragments/aws-call.ts';
import { withTarget } from './fragments/member-credentials.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const GROUP_ID = '$.finding.resource.groupId';
const ACTION = 'RevokeSecurityGroupRules';

/**
 * Security Hub EC2.2: a VPC's default security group should allow no inbound or outbound traffic.
 * A default group cannot be deleted, and EC2 gives it a rule admitting its own members and one
 * admitting all outbound traffic; the fix is removing every rule. Each rule is revoked by its
 * `sgr-` id, inbound and outbound alike, so nothing but the rules listed before is touched, and
 * the record of them is what undo authorizes again. Resources still in the group lose their
 * traffic through it: a person approves first (policy/default.yaml).
 * https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2
 * https://docs.aws.amazon.com/config/latest/developerguide/vpc-default-security-group-closed.html
 * https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
 */
export const closeDefaultSecurityGroup: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Record the rules as they are',
        does: "Reads the security group and every one of its inbound and outbound rules. A group that is not a VPC's default group is left alone.",
        states: ['Read group', 'Read group rules', 'Default group?'],
        ifItStops: 'Nothing was changed. Check that the security group still exists.',
      },
      {
        title: 'Remove every rule',
        does: 'Removes each inbound and outbound rule of the default group, one by one, by its rule id.',
        states: ['Revoke each rule', 'Outbound?', 'Revoke inbound rule', 'Revoke outbound rule'],
        ifItStops:
          'Some rules may still be there. Remove them by hand in the VPC console (Security groups > the default group > Inbound rules and Outbound rules).',
      },
      {
        title: 'Check no rule is left',
        does: 'Reads the rules again and confirms the group has none.',
        states: ['Read rules again'],
        ifItStops:
          'The rules were removed but this could not be confirmed. Look at the group in the VPC console.',
      },
    ],
    checkAfterwards: [
      'The default security group has no inbound and no outbound rules.',
      'Nothing still uses the default group for traffic it needs: instances and other resources in it can no longer talk to each other or out through it. Give them their own security groups.',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It adds the removed rules back (with new rule ids).',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const groups = steps.arns.securityGroups;

    // DescribeSecurityGroups and DescribeSecurityGroupRules support no resource-level permissions.
    const readGroup = steps.call('Read group', {
      service: 'ec2',
      action: 'describeSecurityGroups',
      parameters: { 'GroupIds.$': `States.Array(${GROUP_ID})` },
      iamResources: ['*'],
      resultSelector: {
        'GroupName.$': '$.SecurityGroups[0].GroupName',
        'VpcId.$': '$.SecurityGroups[0].VpcId',
      },
      resultPath: '$.state.group',
    });
    // A group holds at most 1,000 rules (inbound and outbound together): one page of 1,000 is all of them.
    const readRules = (id: string, resultPath: string) =>
      steps.call(id, {
        service: 'ec2',
        action: 'describeSecurityGroupRules',
        parameters: {
          Filters: [{ Name: 'group-id', 'Values.$': `States.Array(${GROUP_ID})` }],
          MaxResults: 1000,
        },
        iamResources: ['*'],
        resultPath,
      });
    // An empty list may be left out of the response: "no rule" is "no first rule".
    const noRule = (path: string) => sfn.Condition.isNotPresent(`${path}.SecurityGroupRules[0]`);

    // Revoke one rule per call, by id, in the direction it belongs to: the two APIs take only
    // their own direction's rule ids.
    const revoke = (id: string, action: string) =>
      awsCall(scope, id, {
        service: 'ec2',
        action,
        parameters: {
          'GroupId.$': '$.groupId',
          'SecurityGroupRuleIds.$': 'States.Array($.rule.SecurityGroupRuleId)',
        },
        // Authorized on the security group only, even when naming rule ids
        // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
        iamResources: [groups],
        resultSelector: { 'revoked.$': '$.RevokedSecurityGroupRules' },
      });
    const perRule = new sfn.Choice(scope, 'Outbound?')
      .when(
        sfn.Condition.booleanEquals('$.rule.IsEgress', true),
        revoke('Revoke outbound rule', 'revokeSecurityGroupEgress'),
      )
      .otherwise(revoke('Revoke inbound rule', 'revokeSecurityGroupIngress'));
    const each = steps.each(
      'Revoke each rule',
      {
        itemsPath: '$.state.before.SecurityGroupRules',
        itemSelector: withTarget(scope, { 'rule.$': '$$.Map.Item.Value', 'groupId.$': GROUP_ID }),
        // One at a time: EC2 throttles mutating calls per account, and a default group has few rules.
        maxConcurrency: 1,
        resultPath: '$.state.revoked',
      },
      perRule,
    );

    const contain = sfn.Chain.start(each)
      .next(
        steps.audit('Audit rules revoked', ACTION, 'succeeded', {
          beforePath: '$.state.before',
          afterPath: '$.state.revoked',
        }),
      )
      .next(readRules('Read rules again', '$.state.after'))
      .next(
        steps.verify(
          noRule('$.state.after'),
          { afterPath: '$.state.after' },
          'default security group closed',
        ),
      );
    const closed = steps.unlessAlready({
      id: 'Any rule?',
      already: noRule('$.state.before'),
      audit: { id: 'Audit already closed', action: ACTION, paths: { beforePath: '$.state.before' } },
      endId: 'Already closed',
      contain,
    });

    const plan = new sfn.Pass(scope, 'Build plan', {
      parameters: {
        actions: [{ action: ACTION, 'groupId.$': GROUP_ID }],
        'group.$': '$.state.group',
        'before.$': '$.state.before',
      },
      resultPath: '$.plan',
    });
    const byMode = steps.byMode({
      plan,
      proposedActions: [
        "Revoke every inbound and outbound rule of the VPC's default security group, each by its sgr- id",
        'Read the rules again and record that none is left',
      ],
      ifDenied: 'The playbook ends: the default security group keeps its rules.',
      contain: closed,
    });
    // Security Hub names the group the control failed on; a group that is not a VPC's default
    // group (the only group EC2 names `default`) is not this playbook's to empty.
    const isDefault = new sfn.Choice(scope, 'Default group?')
      .when(sfn.Condition.stringEquals('$.state.group.GroupName', 'default'), byMode)
      .otherwise(
        steps.nothingToDo(
          'Audit not a default group',
          ACTION,
          { beforePath: '$.state.group' },
          'Not a default group',
        ),
      );

    Validations.of(scope).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ec2:DescribeSecurityGroups and ec2:DescribeSecurityGroupRules support no resource-level permissions; they are the only actions of this playbook on Resource "*" and they only read.',
      },
      {
        id: resourceWildcardFinding(scope, 'ec2:{region}:{account}:security-group/*'),
        reason:
          'The security group is named by the finding at run time; the role may only revoke rules, each call naming one sgr- rule id read from that group.',
      },
    );
    return readGroup.next(readRules('Read group rules', '$.state.before')).next(isDefault);
  },
};
